/**
 * The last-state upgrade mode on the fake Flink: green starts from blue's latest retained checkpoint, chosen and
 * persisted before blue is cancelled; each reason to refuse is found before blue is touched.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { recordPrinted } from '../../../../test/support/printed-record.ts'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { createMemoryStateStore } from '../store/file-state-store.ts'
import { createMemoryReleaseRecords, type ReleaseRecordStore } from '../store/release-record.ts'
import type { StateStore } from '../store/state-store.ts'
import type { FakeTiming } from '../testing/cluster-options.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import { resolveUpgradeOptions, type UpgradeOptions } from './options.ts'
import { upgrade } from './run-upgrade.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-last-state-'))
const jar = (build: string) => {
  const path = join(dir, `orders-${build}.jar`)
  writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return path
}
const release = (build: string, extraArgs: string[] = []): UpgradeOptions => ({
  jobName: 'orders',
  jar: jar(build),
  args: ['--name', 'orders', '--release', build, ...extraArgs],
  verify: { checkpoints: 1, stabilisationMs: 100, timeoutMs: 3_000 },
  timeouts: { savepointMs: 3_000, cancelMs: 3_000, blueSettleMs: 150 },
})
const lastState = (build: string, extra: Partial<UpgradeOptions> = {}, extraArgs: string[] = []) => ({
  ...release(build, extraArgs),
  upgradeMode: 'last-state' as const,
  ...extra,
})

describe('last-state upgrade mode', () => {
  let fake: InProcessFakeFlink
  let client: FlinkClient
  let releases: ReleaseRecordStore
  afterEach(async () => {
    await client.close()
    await fake.stop()
  })

  async function blue(o: { timing?: Partial<FakeTiming>; config?: Record<string, string> } = {}) {
    fake = await startFakeFlink({
      version: '2.3.0',
      timing: { programSecondMs: 20, ...o.timing },
      config: o.config,
    })
    client = createFlinkClient({ baseUrl: fake.url })
    releases = createMemoryReleaseRecords()
    const checkpoints = o.timing?.checkpointIntervalMs === 0 ? 0 : 1
    const first = await upgrade(
      { ...release('v1'), verify: { checkpoints, stabilisationMs: 0, timeoutMs: 3_000 } },
      { client, releases },
    )
    return first.greenJobId!
  }

  const snapshotRequests = (blueId: string) =>
    fake.requests.filter(
      (r) => r.method === 'POST' && new RegExp(`/jobs/${blueId}/(stop|savepoints)$`).test(r.path),
    )

  /** A state store that notes in what state blue was when a checkpoint path was first persisted. */
  function watchedStore(blueId: string) {
    const inner = createMemoryStateStore()
    const seen: { blueState?: string } = {}
    const store: StateStore = {
      ...inner,
      async write(run) {
        if (seen.blueState === undefined && /chk-\d+/.test(JSON.stringify(run))) {
          seen.blueState = fake.cluster.job(blueId)?.state
        }
        return inner.write(run)
      },
    }
    return { store, seen }
  }

  it('starts green from the checkpoint persisted while blue still ran, without a savepoint', async () => {
    const blueId = await blue()
    const { store, seen } = watchedStore(blueId)
    const result = await upgrade(lastState('v2'), { client, releases, store })
    expect(result.outcome, result.summary).toBe('upgraded')
    expect(result.savepointPath).toMatch(/chk-\d+/)
    expect(seen.blueState).toBe('RUNNING')
    expect(fake.cluster.job(blueId)?.state).toBe('CANCELED')
    expect(snapshotRequests(blueId)).toHaveLength(0)
    const stats = await client.checkpoints.statistics({ jobid: result.greenJobId! })
    expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
  })

  it('rolls back to blue from the same checkpoint when green fails', async () => {
    const blueId = await blue()
    const result = await upgrade(lastState('v2', {}, ['--fail-after', '1']), {
      client,
      releases,
      store: createMemoryStateStore(),
    })
    expect(result.outcome, result.summary).toBe('rolled-back')
    const rollbackId = result.running.find((r) => r.role === 'blue-restarted')?.jobId
    expect(rollbackId).toBeDefined()
    expect(rollbackId).not.toBe(blueId)
    const stats = await client.checkpoints.statistics({ jobid: rollbackId! })
    expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
    expect(result.savepointPath).toMatch(/chk-\d+/)
  })

  it('a cancellation that fails leaves the chosen checkpoint in the state file and in the recovery', async () => {
    const blueId = await blue()
    fake.faults.failNext(1_000, 500, { match: 'PATCH /jobs/:jobid' })
    const store = createMemoryStateStore()
    const result = await upgrade(lastState('v2'), { client, releases, store })
    recordPrinted(result.summary)
    expect(result.outcome, result.summary).toBe('failed-needs-attention')
    expect(result.error?.step).toBe('cancellingBlue')
    expect(fake.cluster.job(blueId)?.state).toBe('RUNNING')
    const persisted = JSON.stringify(await store.read())
    expect(result.savepointPath).toMatch(/chk-\d+/)
    expect(persisted).toContain(result.savepointPath!)
    expect(result.summary).toContain(result.savepointPath!)
  }, 20_000)

  const refusals: {
    name: string
    setup: { timing?: Partial<FakeTiming>; config?: Record<string, string> }
    before?: (blueId: string) => Promise<void>
    extra?: Partial<UpgradeOptions>
    message: RegExp
  }[] = [
    {
      name: 'checkpoints deleted on cancellation',
      setup: {
        config: { 'execution.checkpointing.externalized-checkpoint-retention': 'DELETE_ON_CANCELLATION' },
      },
      message: /are deleted when it is cancelled; .*RETAIN_ON_CANCELLATION/,
    },
    {
      name: 'the latest checkpoint too old',
      setup: { timing: { checkpointIntervalMs: 0 } },
      before: async (blueId) => {
        await client.operations.checkpoint(blueId)
        await new Promise((r) => setTimeout(r, 120))
      },
      extra: { lastStateMaxAgeMs: 100 },
      message: /the latest checkpoint is \d+ s old, over the allowed 0.1 s/,
    },
    {
      name: 'no checkpoint at all',
      setup: { timing: { checkpointIntervalMs: 0 } },
      message: /blue has no retained checkpoint/,
    },
    {
      name: 'a source that is not FLIP-27 (a legacy SourceFunction: it may not replay)',
      setup: {},
      before: async () => {
        fake.cluster.legacySources = () => true
      },
      message:
        /last-state refused: .* cannot tell for Source: events \(it reports no sourceIdleTime: not a FLIP-27 source.*--assume-sources-replay/,
    },
  ]
  it('refuses before blue is touched: blue started from a savepoint in CLAIM mode', async () => {
    await blue()
    const claimed = await upgrade({ ...release('v2'), claimMode: 'CLAIM' }, { client, releases })
    expect(claimed.outcome, claimed.summary).toBe('upgraded')
    const blueId = claimed.greenJobId!
    const requestsBefore = fake.requests.length
    const result = await upgrade(lastState('v1'), { client, releases, store: createMemoryStateStore() })
    expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
    expect(result.error?.message).toMatch(/started from a savepoint in CLAIM mode/)
    expect(fake.cluster.job(blueId)?.state).toBe('RUNNING')
    const changes = fake.requests
      .slice(requestsBefore)
      .filter((q) => q.method !== 'GET' && q.path.includes(`/jobs/${blueId}`))
    expect(changes).toEqual([])
    // the same blue is upgraded by a savepoint
    expect((await upgrade(release('v1'), { client, releases })).outcome).toBe('upgraded')
  })

  it('starts green from the checkpoint when the user vouches that legacy sources replay', async () => {
    const blueId = await blue()
    fake.cluster.legacySources = () => true
    const result = await upgrade(lastState('v2', { assumeSourcesReplay: true }), {
      client,
      releases,
      store: createMemoryStateStore(),
    })
    expect(result.outcome, result.summary).toBe('upgraded')
    expect(result.savepointPath).toMatch(/chk-\d+/)
    expect(fake.cluster.job(blueId)?.state).toBe('CANCELED')
  })

  for (const r of refusals) {
    it(`refuses before blue is touched: ${r.name}`, async () => {
      const blueId = await blue(r.setup)
      await r.before?.(blueId)
      const requestsBefore = fake.requests.length
      const result = await upgrade(lastState('v2', r.extra), {
        client,
        releases,
        store: createMemoryStateStore(),
      })
      expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
      expect(result.error?.step).toBe('preflight')
      expect(result.error?.message).toMatch(r.message)
      expect(fake.cluster.job(blueId)?.state).toBe('RUNNING')
      const changes = fake.requests
        .slice(requestsBefore)
        .filter((q) => q.method !== 'GET' && q.path.includes(`/jobs/${blueId}`))
      expect(changes).toEqual([])
    })
  }
})

describe('last-state options', () => {
  it.each([
    [{ strategy: 'blue-green' as const }, /cannot run with strategy blue-green/],
    [{ stateless: true }, /excludes stateless/],
    [{ claimMode: 'CLAIM' as const }, /needs claimMode NO_CLAIM/],
  ])('refuses %o with last-state as bad input', (extra, message) => {
    expect(() => resolveUpgradeOptions(lastState('v2', extra))).toThrow(message)
  })

  it('refuses lastStateMaxAgeMs without last-state', () => {
    expect(() => resolveUpgradeOptions({ ...release('v2'), lastStateMaxAgeMs: 1000 })).toThrow(
      /applies only to upgradeMode last-state/,
    )
  })

  it('refuses assumeSourcesReplay without last-state', () => {
    expect(() => resolveUpgradeOptions({ ...release('v2'), assumeSourcesReplay: true })).toThrow(
      /applies only to upgradeMode last-state/,
    )
  })
})
