/**
 * Progress of the long steps on the fake Flink, whose in-progress savepoints acknowledge subtasks and grow in
 * bytes as they go, and whose subtasks pass through INITIALIZING: reported as typed events while they run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFlinkClient } from '../client/flink-client.ts'
import type { UpgradeEmitted } from '../machines/upgrade-setup.ts'
import { formatEvent } from '../report/format.ts'
import { createMemoryStateStore } from '../store/file-state-store.ts'
import { createMemoryReleaseRecords } from '../store/release-record.ts'
import { startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from './options.ts'
import { upgrade } from './run-upgrade.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-progress-'))
const release = (build: string): UpgradeOptions => {
  const jar = join(dir, `orders-${build}.jar`)
  writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return {
    jobName: 'orders',
    jar,
    args: ['--name', 'orders', '--release', build],
    parallelism: 2,
    verify: { checkpoints: 1, stabilisationMs: 0, timeoutMs: 5_000 },
  }
}

describe('progress of long steps', () => {
  it('reports subtasks acknowledged and bytes written during the savepoint, and the restore', async () => {
    const fake = await startFakeFlink({ version: '2.3.0', timing: { savepointMs: 600, taskStepMs: 150 } })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      const releases = createMemoryReleaseRecords()
      await upgrade(release('v1'), { client, releases })
      const events: UpgradeEmitted[] = []
      const result = await upgrade(release('v2'), {
        client,
        releases,
        store: createMemoryStateStore(),
        progressIntervalMs: 50,
        onEvent: (e) => events.push(e),
      })
      expect(result.outcome, result.summary).toBe('upgraded')

      const savepoint = events.filter((e) => e.type === 'savepoint-progress')
      expect(savepoint.length).toBeGreaterThan(1)
      expect(new Set(savepoint.map((e) => e.jobId))).toEqual(new Set([result.blueJobId]))
      const acks = savepoint.map((e) => e.acknowledged)
      expect(acks).toEqual([...acks].sort((a, b) => a - b))
      expect(savepoint.some((e) => e.bytes > 0 && e.acknowledged < e.subtasks)).toBe(true)
      // Reported while the step ran, before its end.
      const stepLeft = events.findIndex((e) => e.type === 'step-left' && e.step === 'stoppingBlue')
      expect(events.indexOf(savepoint.at(-1)!)).toBeLessThan(stepLeft)

      const restore = events.filter((e) => e.type === 'restore-progress')
      expect(restore.some((e) => e.initializing > 0)).toBe(true)
      expect(restore.at(-1)).toMatchObject({
        role: 'green',
        jobId: result.greenJobId,
        running: 4,
        initializing: 0,
      })
      expect(formatEvent(restore.at(-1)!)).toBe('  green restoring: 4/4 subtasks running, 0 initializing')
      expect(formatEvent(savepoint[0]!)).toMatch(
        /^ {2}savepoint \d+: \d+\/\d+ subtasks acknowledged, [\d.]+ KB written$/,
      )
    } finally {
      await client.close()
      await fake.stop()
    }
  })

  it('a failing statistics route does not fail the savepoint it watches', async () => {
    const fake = await startFakeFlink({ version: '2.3.0', timing: { savepointMs: 300 } })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      const releases = createMemoryReleaseRecords()
      await upgrade(release('v1'), { client, releases })
      fake.faults.failNext(5, 500, { match: 'GET /jobs/:jobid/checkpoints' })
      const events: UpgradeEmitted[] = []
      const result = await upgrade(release('v2'), {
        client,
        releases,
        store: createMemoryStateStore(),
        progressIntervalMs: 20,
        onEvent: (e) => events.push(e),
      })
      expect(result.outcome, result.summary).toBe('upgraded')
      expect(events.some((e) => e.type === 'step-entered' && e.step === 'stoppingBlue')).toBe(true)
    } finally {
      await client.close()
      await fake.stop()
    }
  })
})
