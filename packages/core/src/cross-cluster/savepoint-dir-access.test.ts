import { afterEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import { probeSavepointDir } from './savepoint-dir-access.ts'

let fake: InProcessFakeFlink
let client: FlinkClient
async function cluster(options: Parameters<typeof startFakeFlink>[0]) {
  fake = await startFakeFlink(options)
  client = createFlinkClient({ baseUrl: fake.url })
}
afterEach(async () => {
  await client.close()
  await fake.stop()
})

describe('probeSavepointDir', () => {
  it('takes "not found" as reachable, and deletes nothing that exists', async () => {
    await cluster({})
    const kept = fake.cluster.addSavepoint('s3://savepoints/orders/savepoint-1')
    expect(await probeSavepointDir(client, 's3://savepoints/orders/')).toEqual({ reachable: true })
    expect(fake.cluster.snapshot(kept.path)).toBeDefined()
    // The probed path was random and under the directory.
    const probed = fake.requests.filter((r) => r.method === 'POST' && r.path === '/savepoint-disposal')
    expect(probed).toHaveLength(1)
  })

  it("names the missing file system from Flink's own line, not the cause beneath it", async () => {
    await cluster({ fileSystems: ['file'] })
    expect(await probeSavepointDir(client, 's3://savepoints/orders')).toEqual({
      reachable: false,
      reason: expect.stringMatching(
        /^org\.apache\.flink\.core\.fs\.UnsupportedFileSystemSchemeException: Could not find a file system implementation for scheme 's3'/,
      ),
    })
  })

  it('counts a file system that does not answer in time as unreachable', async () => {
    await cluster({ timing: { disposalMs: 60_000 } })
    expect(await probeSavepointDir(client, 's3://savepoints/orders', undefined, 300)).toEqual({
      reachable: false,
      reason: 'its file system did not answer within 0.3 s',
    })
  })
})
