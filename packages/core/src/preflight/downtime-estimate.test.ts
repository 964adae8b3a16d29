import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFlinkClient } from '../client/flink-client.ts'
import { createMemoryReleaseRecords } from '../store/release-record.ts'
import { startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from '../upgrade/options.ts'
import { upgrade } from '../upgrade/run-upgrade.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-estimate-'))
const release = (build: string, extra: Partial<UpgradeOptions> = {}): UpgradeOptions => {
  const jar = join(dir, `orders-${build}.jar`)
  writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return { jobName: 'orders', jar, args: ['--name', 'orders', '--release', build], ...extra }
}

describe('the downtime estimate in the plan', () => {
  it("gives blue's state size and a downtime from its checkpoint history, per mode", async () => {
    const fake = await startFakeFlink({ version: '2.3.0' })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      const releases = createMemoryReleaseRecords()
      const blueId = (
        await upgrade(release('v1', { verify: { checkpoints: 2, stabilisationMs: 0 } }), { client, releases })
      ).greenJobId!
      const plan = await upgrade(release('v2', { dryRun: true }), { client, releases })
      const stats = await client.checkpoints.statistics({ jobid: blueId })
      const estimate = plan.estimate!
      expect(estimate.mode).toBe('savepoint')
      expect(estimate.checkpointId).toBeGreaterThanOrEqual(stats.latest.completed!.id - 1)
      expect(estimate.stateBytes).toBeGreaterThan(0)
      expect(estimate.downtimeMs).toBe(2 * estimate.fullSnapshotMs)
      expect(plan.summary).toMatch(
        /State [\d.]+ KB \(checkpoint \d+\): estimated downtime \d+ ms \(savepoint and restore, from its checkpoint history\)\.$/,
      )
      const lastState = await upgrade(release('v2', { dryRun: true, upgradeMode: 'last-state' }), {
        client,
        releases,
      })
      expect(lastState.estimate?.mode).toBe('last-state')
      expect(lastState.estimate!.downtimeMs).toBe(lastState.estimate!.fullSnapshotMs)
    } finally {
      await client.close()
      await fake.stop()
    }
  })

  it('is left out when the statistics cannot be read, and the run goes on', async () => {
    const fake = await startFakeFlink({ version: '2.3.0' })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      const releases = createMemoryReleaseRecords()
      await upgrade(release('v1', { verify: { stabilisationMs: 0 } }), { client, releases })
      // State compatibility reads them too, and goes on without them as well.
      fake.faults.failNext(2, 400, { match: 'GET /jobs/:jobid/checkpoints' })
      const plan = await upgrade(release('v2', { dryRun: true }), { client, releases })
      expect(plan.outcome, plan.summary).toBe('dry-run')
      expect(plan.estimate).toBeUndefined()
    } finally {
      await client.close()
      await fake.stop()
    }
  })
})
