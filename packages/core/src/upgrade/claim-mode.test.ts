/**
 * CLAIM on the fake Flink, which reports a claimed savepoint's restore as Flink does (as a checkpoint): the
 * upgrade still proves green restored blue's savepoint, by its path.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFlinkClient } from '../client/flink-client.ts'
import { createMemoryReleaseRecords } from '../store/release-record.ts'
import { startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from './options.ts'
import { upgrade } from './run-upgrade.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-claim-'))
const release = (build: string, extra: Partial<UpgradeOptions> = {}): UpgradeOptions => {
  const jar = join(dir, `orders-${build}.jar`)
  writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return {
    jobName: 'orders',
    jar,
    args: ['--name', 'orders', '--release', build],
    verify: { checkpoints: 1, stabilisationMs: 0, timeoutMs: 3_000 },
    ...extra,
  }
}

describe('claim mode CLAIM', () => {
  it('upgrades stop-and-restart from a savepoint Flink reports as restored checkpoint', async () => {
    const fake = await startFakeFlink({ version: '2.3.0' })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      const releases = createMemoryReleaseRecords()
      await upgrade(release('v1'), { client, releases })
      const result = await upgrade(release('v2', { claimMode: 'CLAIM' }), { client, releases })
      expect(result.outcome, result.summary).toBe('upgraded')
      const restored = (await client.checkpoints.statistics({ jobid: result.greenJobId! })).latest.restored
      expect(restored?.is_savepoint).toBe(false)
      expect(restored?.external_path).toBe(result.savepointPath)
    } finally {
      await client.close()
      await fake.stop()
    }
  })
})
