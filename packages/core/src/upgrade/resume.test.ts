/**
 * Crash and resume: the process "dies" right after each persisted step (its state store stops accepting
 * writes, so nothing after that point is recorded), and a new run resumes from what was persisted. The
 * outcome must equal an uninterrupted run: one green job, one savepoint of blue, green restored from it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFlinkClient } from '../client/flink-client.ts'
import { createMemoryStateStore } from '../store/file-state-store.ts'
import { createMemoryReleaseRecords } from '../store/release-record.ts'
import { crashingStore, recordingStore } from '../testing/crashing-store.ts'
import { startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from './options.ts'
import { resume, upgrade } from './run-upgrade.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-resume-'))
function jar(build: string): string {
  const path = join(dir, `orders-${build}.jar`)
  writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return path
}
const options = (build: string, strategy: UpgradeOptions['strategy']): UpgradeOptions => ({
  jobName: 'orders',
  jar: jar(build),
  args: ['--name', 'orders', '--release', build],
  strategy,
  verify: { checkpoints: 1, stabilisationMs: 100, timeoutMs: 5_000 },
})

async function setUp() {
  const fake = await startFakeFlink({ version: '2.3.0' })
  const client = createFlinkClient({ baseUrl: fake.url })
  const releases = createMemoryReleaseRecords()
  const first = await upgrade(options('v1', 'stop-and-restart'), { client, releases })
  await waitUntil(() => (fake.cluster.job(first.greenJobId!)?.stateCount() ?? 0) > 20)
  return { fake, client, releases, blueId: first.greenJobId! }
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Persisted states of an uninterrupted run, in order: where a crash is worth simulating. */
async function persistedSteps(
  strategy: UpgradeOptions['strategy'],
): Promise<{ index: number; step: string }[]> {
  const { fake, client, releases } = await setUp()
  const recording = recordingStore(createMemoryStateStore())
  const result = await upgrade(options('v2', strategy), { client, releases, store: recording })
  if (result.outcome !== 'upgraded') throw new Error(`the uninterrupted run ended ${result.outcome}`)
  await client.close()
  await fake.stop()
  // The last write is the final state: a crash after it leaves nothing to resume.
  const seen = recording.states
  return seen
    .map((step, index) => ({ index, step }))
    .filter((s, i) => (i === 0 || seen[i - 1] !== s.step) && i < seen.length - 1)
}

for (const strategy of ['stop-and-restart', 'blue-green'] as const) {
  describe(`${strategy}: crash and resume`, async () => {
    const steps = await persistedSteps(strategy)

    it('has several persisted steps to crash after', () => {
      expect(steps.length).toBeGreaterThanOrEqual(5)
    })

    it('resuming a finished run only reports it', async () => {
      const { fake, client, releases } = await setUp()
      try {
        const store = createMemoryStateStore()
        const done = await upgrade(options('v2', strategy), { client, releases, store })
        const requestsBefore = fake.requests.length
        const again = await resume({ client, releases, store })
        expect(again).toMatchObject({
          outcome: 'upgraded',
          greenJobId: done.greenJobId,
          savepointPath: done.savepointPath,
        })
        const writes = fake.requests.slice(requestsBefore).filter((r) => r.method !== 'GET')
        expect(writes).toEqual([])
      } finally {
        await client.close()
        await fake.stop()
      }
    })

    for (const { index, step } of steps) {
      it(`resuming after a crash right after persisting ${step} (write ${index + 1}) ends like an uninterrupted run`, async () => {
        const { fake, client, releases, blueId } = await setUp()
        try {
          const store = createMemoryStateStore()
          const dying = crashingStore(store, index + 1)
          void upgrade(options('v2', strategy), { client, releases, store: dying })
          await dying.crashed

          const result = await resume({ client, releases, store })

          expect(result.outcome).toBe('upgraded')
          const live = fake.cluster.jobs().filter((j) => j.name === 'orders' && j.state === 'RUNNING')
          expect(live.map((j) => j.id)).toEqual([result.greenJobId])
          const savepoints = fake.cluster.snapshots().filter((s) => s.isSavepoint && s.jobId === blueId)
          expect(savepoints.map((s) => s.path)).toContain(result.savepointPath)
          expect(savepoints.length).toBe(strategy === 'blue-green' ? 2 : 1)
          const stats = await client.checkpoints.statistics({ jobid: result.greenJobId! })
          expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
        } finally {
          await client.close()
          await fake.stop()
        }
      })
    }
  })
}
