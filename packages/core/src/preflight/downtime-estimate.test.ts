import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFlinkClient } from '../client/flink-client.ts'
import type { CheckpointStats } from '../client/schemas/checkpoints.ts'
import { createMemoryReleaseRecords } from '../store/release-record.ts'
import { startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from '../upgrade/options.ts'
import { upgrade } from '../upgrade/run-upgrade.ts'
import { describeEstimate, type EstimateInputs, modelDowntime } from './downtime-estimate.ts'

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
      expect(estimate.format).toBe('canonical')
      expect(estimate.downtimeMs).toBe(estimate.restartMs + estimate.restoreMs)
      expect(estimate.savepointMs).toBeGreaterThan(0)
      expect(plan.summary).toMatch(
        /State [\d.]+ KB \(checkpoint \d+\): estimated downtime \d+ ms \(restart \d+ ms, canonical restore \d+ ms, from its history\) after a savepoint of est\. \d+ ms\.$/,
      )
      const lastState = await upgrade(release('v2', { dryRun: true, upgradeMode: 'last-state' }), {
        client,
        releases,
      })
      expect(lastState.estimate?.mode).toBe('last-state')
      expect(lastState.estimate!.savepointMs).toBe(0)
      expect(lastState.estimate!.restoreMs).toBeLessThan(estimate.restoreMs)
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

const MB = 1024 * 1024
let nextId = 1
const snapshot = (c: Partial<CheckpointStats> & { ms: number }): CheckpointStats => ({
  id: nextId++,
  status: 'COMPLETED',
  is_savepoint: false,
  trigger_timestamp: 1_000,
  latest_ack_timestamp: 1_000 + c.ms,
  end_to_end_duration: c.ms,
  num_subtasks: 2,
  num_acknowledged_subtasks: 2,
  ...c,
})
/** 100 MB of state; the fastest checkpoint wrote 10 MB in 100 ms (so all of it: 1 s), a slower one 1 MB in 50. */
const history = [
  snapshot({ ms: 100, checkpointed_size: 10 * MB, state_size: 100 * MB }),
  snapshot({ ms: 50, checkpointed_size: 1 * MB, state_size: 100 * MB }),
  snapshot({ ms: 1, checkpointed_size: 100 * MB, status: 'FAILED' }),
]
const blueStart = (deployedAfterMs: number): EstimateInputs['blue'] => ({
  timestamps: { CREATED: 5_000, INITIALIZING: 4_990, RUNNING: 5_010 },
  vertices: [{ 'start-time': 5_040 }, { 'start-time': 5_000 + deployedAfterMs }] as never,
})
const inputs = (extra: Partial<EstimateInputs> = {}): EstimateInputs => ({
  stateBytes: 100 * MB,
  checkpointId: 7,
  history,
  blue: blueStart(200),
  mode: 'savepoint',
  format: 'native',
  ...extra,
})

describe('the downtime model', () => {
  it("restores a native savepoint or a checkpoint in proportion to the job's fastest checkpoint, failed ones aside", () => {
    const native = modelDowntime(inputs())!
    expect(native.restoreMs).toBeGreaterThan(0)
    expect(native.savepointMs).toBeGreaterThan(0)
    expect(native.savepointMs).toBeLessThanOrEqual(1_000)
    expect(native.downtimeMs).toBe(native.restartMs + native.restoreMs)
    const lastState = modelDowntime(inputs({ mode: 'last-state' }))!
    expect(lastState.restoreMs).toBe(native.restoreMs)
    expect(lastState.savepointMs).toBe(0)
    const twiceAsFast = [snapshot({ ms: 50, checkpointed_size: 10 * MB }), ...history]
    expect(modelDowntime(inputs({ history: twiceAsFast }))!.restoreMs).toBe(native.restoreMs / 2)
  })

  it("charges a fixed restart cost that follows blue's own start (CREATED → last vertex deployed)", () => {
    const quick = modelDowntime(inputs({ blue: blueStart(200) }))!
    const slow = modelDowntime(inputs({ blue: blueStart(1_200) }))!
    expect(slow.restartMs - quick.restartMs).toBe(1_000)
    const unknown = modelDowntime(inputs({ blue: undefined }))!
    expect(unknown.restartMs).toBeGreaterThan(0)
    expect(unknown.restartMs).toBe(quick.restartMs - 200)
    // Even with no state moved, a restart is not free.
    expect(modelDowntime(inputs({ stateBytes: 1 }))!.downtimeMs).toBeGreaterThanOrEqual(unknown.restartMs)
  })

  it('makes a canonical savepoint slower to restore than a native one, and names the native cost', () => {
    const canonical = modelDowntime(inputs({ format: 'canonical' }))!
    const native = modelDowntime(inputs())!
    expect(canonical.restoreMs).toBeGreaterThan(2 * native.restoreMs)
    expect(canonical.savepointMs).toBe(native.savepointMs)
    expect(canonical.nativeDowntimeMs).toBe(native.downtimeMs)
    expect(native.nativeDowntimeMs).toBeUndefined()
  })

  it("writes a savepoint at the job's own savepoint rate when its history has one", () => {
    const withSavepoint = [...history, snapshot({ ms: 5_000, is_savepoint: true, state_size: 50 * MB })]
    expect(modelDowntime(inputs({ format: 'canonical', history: withSavepoint }))!.savepointMs).toBe(10_000)
    // Not a checkpoint: its size does not make the file rate faster.
    expect(modelDowntime(inputs({ history: withSavepoint }))!.restoreMs).toBe(
      modelDowntime(inputs())!.restoreMs,
    )
  })

  it('gives nothing without state or a completed checkpoint that wrote something', () => {
    expect(modelDowntime(inputs({ stateBytes: 0 }))).toBeUndefined()
    expect(modelDowntime(inputs({ history: [history[2]!] }))).toBeUndefined()
    expect(modelDowntime(inputs({ history: [snapshot({ ms: 0, checkpointed_size: MB })] }))).toBeUndefined()
  })

  it('names the faster modes when the chosen one is long', () => {
    const big = inputs({ stateBytes: 2_000 * MB, format: 'canonical' })
    expect(describeEstimate(modelDowntime(big)!)).toMatch(
      /^State 1.95 GB \(checkpoint 7\): estimated downtime [\d.]+ s \(restart [\d.]+ (m)?s, canonical restore [\d.]+ s, from its history\) after a savepoint of est\. [\d.]+ s; a native savepoint would restore faster: est\. [\d.]+ s; last-state would skip the savepoint$/,
    )
    expect(describeEstimate(modelDowntime(inputs())!)).not.toMatch(/would/)
  })
})
