import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { newTriggerId } from '../client/async-operation.ts'
import { createFlinkClient } from '../client/flink-client.ts'
import { startFakeFlink } from '../testing/index.ts'
import { upgrade } from '../upgrade/run-upgrade.ts'
import { stopWithSavepoint } from './savepoint.ts'

describe('stop-with-savepoint', () => {
  it('sees blue stopped soon after a long savepoint ends: that wait is downtime', async () => {
    const fake = await startFakeFlink({ version: '2.3.0', timing: { savepointMs: 2_400 } })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      const jar = join(mkdtempSync(join(tmpdir(), 'flink-deploy-stop-')), 'orders.jar')
      writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from('v1')]))
      const blue = (
        await upgrade(
          {
            jobName: 'orders',
            jar,
            args: ['--name', 'orders', '--release', 'v1'],
            verify: { stabilisationMs: 0 },
          },
          { client },
        )
      ).greenJobId!
      const input = { jobId: blue, triggerId: newTriggerId(), triggeredAfter: Date.now(), timeoutMs: 10_000 }
      await stopWithSavepoint(client, { ...input, drain: false })
      const seenAt = Date.now()
      const endedAt = (await client.jobs.overview()).jobs.find((j) => j.jid === blue)!['end-time']
      // The default backoff would poll a second apart by now, and see it up to ~900 ms late here.
      expect(seenAt - endedAt).toBeLessThan(400)
    } finally {
      await client.close()
      await fake.stop()
    }
  })
})
