/**
 * Faults injected at each step of a stop-and-restart upgrade, against the fake Flink: a transient answer
 * (503 once, a connection reset once) must not change the outcome; a persistent failure, a hung request or
 * a JobManager restart must end in a documented state that names what runs and never loses a savepoint
 * blue wrote: the result carries its path, or the error says where to find it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { recordPrinted } from '../../../../test/support/printed-record.ts'
import { createFlinkClient } from '../client/flink-client.ts'
import { createMemoryStateStore } from '../store/file-state-store.ts'
import { createMemoryReleaseRecords } from '../store/release-record.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from './options.ts'
import type { UpgradeResult } from './result.ts'
import { upgrade } from './run-upgrade.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-faults-'))
const jar = (build: string) => {
  const path = join(dir, `orders-${build}.jar`)
  writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return path
}
const release = (build: string): UpgradeOptions => ({
  jobName: 'orders',
  jar: jar(build),
  args: ['--name', 'orders', '--release', build],
  verify: { checkpoints: 1, stabilisationMs: 100, timeoutMs: 3_000 },
  timeouts: { savepointMs: 3_000, cancelMs: 3_000, blueSettleMs: 150 },
})

const DOCUMENTED = ['upgraded', 'rolled-back', 'aborted-blue-untouched', 'failed-needs-attention']

/** The routes each step depends on. */
const STEPS: Record<string, string[]> = {
  preflight: ['GET /jobs/overview', 'POST /jars/:jarid/plan'],
  stoppingBlue: ['POST /jobs/:jobid/stop', 'GET /jobs/:jobid/savepoints/:triggerid'],
  startingGreen: ['POST /jars/:jarid/run'],
  verifyingGreen: ['GET /jobs/:jobid/checkpoints'],
}

type Fault = { name: string; transient: boolean; inject: (fake: InProcessFakeFlink, route: string) => void }
const FAULTS: Fault[] = [
  { name: '503 once', transient: true, inject: (f, route) => f.faults.failNext(1, 503, { match: route }) },
  {
    name: 'connection reset once',
    transient: true,
    inject: (f, route) => f.faults.resetNext(1, { match: route }),
  },
  {
    name: '500 from then on',
    transient: false,
    inject: (f, route) => f.faults.failNext(1_000, 500, { match: route }),
  },
  {
    name: 'no answer (hung request)',
    transient: false,
    inject: (f, route) => f.faults.latency(60_000, { match: route }),
  },
]

async function run(inject: (fake: InProcessFakeFlink, blueId: string) => void | Promise<void>) {
  const fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
  const client = createFlinkClient({
    baseUrl: fake.url,
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20 },
    // a persistent fault outlasts a short outage budget: the machine's handling of a failed call is tested here
    timeouts: { connectMs: 500, headersMs: 1_000, bodyMs: 1_000, requestMs: 1_500, unreachableMs: 500 },
  })
  try {
    const releases = createMemoryReleaseRecords()
    const first = await upgrade(release('v1'), { client, releases })
    const blueId = first.greenJobId!
    await expect.poll(() => fake.cluster.job(blueId)?.stateCount() ?? 0).toBeGreaterThan(20)
    await inject(fake, blueId)
    const result = await upgrade(release('v2'), { client, releases, store: createMemoryStateStore() })
    fake.faults.clear()
    return { fake, client, blueId, result }
  } catch (error) {
    await client.close()
    await fake.stop()
    throw error
  }
}

/** Every savepoint blue wrote is named by the result, or by the error that says where to look. */
function expectSavepointKept(fake: InProcessFakeFlink, blueId: string, result: UpgradeResult): void {
  for (const sp of fake.cluster.snapshots().filter((s) => s.isSavepoint && s.jobId === blueId)) {
    const named =
      result.savepointPath === sp.path || result.error?.message.includes(`savepoint-${blueId.slice(0, 6)}-`)
    expect(named, `savepoint ${sp.path} is not in the result: ${result.summary}`).toBe(true)
  }
}

describe('faults at each step of stop-and-restart', { timeout: 30_000 }, () => {
  for (const [step, routes] of Object.entries(STEPS)) {
    for (const route of routes) {
      for (const fault of FAULTS) {
        it(`${step}: ${fault.name} on ${route}`, async () => {
          const { fake, client, blueId, result } = await run((f) => fault.inject(f, route))
          try {
            expect(DOCUMENTED).toContain(result.outcome)
            if (fault.transient) expect(result.outcome, result.summary).toBe('upgraded')
            expectSavepointKept(fake, blueId, result)
            for (const job of result.running) expect(fake.cluster.job(job.jobId)?.state).toBe(job.state)
            if (result.outcome === 'aborted-blue-untouched')
              expect(fake.cluster.job(blueId)?.state).toBe('RUNNING')
            if (result.outcome === 'failed-needs-attention')
              expect(result.savepointPath ?? result.error?.message).toBeDefined()
          } finally {
            await client.close()
            await fake.stop()
          }
        })
      }
    }
  }

  it('a JobManager restart while blue stops: the savepoint is recovered or its location named', async () => {
    const { fake, client, blueId, result } = await run((f) => {
      f.faults.latency(300, { match: 'GET /jobs/:jobid/savepoints/:triggerid', times: 1 })
      setTimeout(() => void f.faults.restartJobManager({ downtimeMs: 50, keepJars: true }), 100)
    })
    try {
      expect(DOCUMENTED).toContain(result.outcome)
      expectSavepointKept(fake, blueId, result)
    } finally {
      await client.close()
      await fake.stop()
    }
  })

  it('a JobManager restart while green is verified ends in a documented state with the savepoint', async () => {
    const { fake, client, blueId, result } = await run((f, blueId) => {
      const started = setInterval(() => {
        if (f.cluster.jobs().some((j) => j.id !== blueId && j.state === 'RUNNING')) {
          clearInterval(started)
          void f.faults.restartJobManager({ downtimeMs: 50, keepJars: true })
        }
      }, 5)
    })
    try {
      expect(DOCUMENTED).toContain(result.outcome)
      expect(result.savepointPath).toBeDefined()
      expectSavepointKept(fake, blueId, result)
    } finally {
      await client.close()
      await fake.stop()
    }
  })
})

/**
 * A savepoint that throws in blue's task (Flink 2.x refusing a canonical savepoint of async state) costs blue
 * a restart, or its last one. The run must watch blue settle, say what it found, never call such a blue
 * untouched, never try the savepoint again, and take the checkpoint fallback where it is allowed.
 */
describe('savepoint fails in blue task', { timeout: 30_000 }, () => {
  const savepointTriggers = (fake: InProcessFakeFlink, blueId: string) =>
    fake.requests.filter(
      (r) => r.method === 'POST' && new RegExp(`/jobs/${blueId}/(stop|savepoints)$`).test(r.path),
    ).length

  async function failing(
    strategy: 'stop-and-restart' | 'blue-green',
    failsTask: 'restart' | 'fail',
    extra: Partial<UpgradeOptions> = {},
    config: Record<string, string> = {},
  ) {
    const fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 }, config })
    const client = createFlinkClient({ baseUrl: fake.url })
    const releases = createMemoryReleaseRecords()
    const first = await upgrade(release('v1'), { client, releases })
    const blueId = first.greenJobId!
    await expect.poll(() => fake.cluster.job(blueId)?.latestCompleted).toBeTruthy()
    fake.faults.failSavepoints(1, { jobId: blueId, failsTask })
    const result = await upgrade(
      { ...release('v2'), strategy, ...extra },
      { client, releases, store: createMemoryStateStore() },
    )
    // The recovery command in the summary must be one the CLI accepts (test/support/printed-commands.ts).
    recordPrinted(result.summary)
    return { fake, client, blueId, result, releases }
  }

  for (const strategy of ['stop-and-restart', 'blue-green'] as const) {
    it(`${strategy}: savepoint fails and blue restarts`, async () => {
      const { fake, client, blueId, result } = await failing(strategy, 'restart')
      try {
        expect(result.outcome, result.summary).toBe('failed-needs-attention')
        expect(result.blueAfterSavepoint).toMatchObject({
          condition: 'restarted',
          state: 'RUNNING',
          failures: 1,
        })
        expect(result.error?.message).toContain('java.lang.UnsupportedOperationException: Not supported yet.')
        expect(result.error?.message).toContain('blue restarted 1 time')
        expect(result.summary).toContain('use savepoint format native')
        expect(result.recovery).toBe(
          `flink-deploy upgrade --job-id ${blueId} --jar ${release('v2').jar} --arg --name --arg orders --arg --release --arg v2 --strategy ${strategy} --savepoint-format native`,
        )
        expect(result.running).toMatchObject([
          { role: 'blue', jobId: blueId, state: 'RUNNING', cluster: fake.url, subtasksRunning: true },
        ])
        expect(savepointTriggers(fake, blueId)).toBe(1)
        // What the report says still holds a little later.
        await new Promise((r) => setTimeout(r, 300))
        expect(fake.cluster.job(blueId)?.state).toBe('RUNNING')
        expect(
          fake.cluster
            .jobs()
            .filter((j) => !j.isTerminal)
            .map((j) => j.id),
        ).toEqual([blueId])
      } finally {
        await client.close()
        await fake.stop()
      }
    })

    it(`${strategy}: savepoint fails and blue fails`, async () => {
      const { fake, client, blueId, result } = await failing(strategy, 'fail')
      try {
        expect(result.outcome, result.summary).toBe('failed-needs-attention')
        expect(result.blueAfterSavepoint).toMatchObject({ condition: 'ended', state: 'FAILED' })
        expect(result.error?.message).toContain('blue is FAILED')
        expect(result.running).toEqual([])
        expect(fake.cluster.job(blueId)?.state).toBe('FAILED')
        const checkpoint = fake.cluster.job(blueId)!.latestCompleted!.externalPath!
        expect(result.recovery).toBe(
          `flink-deploy upgrade --job-name orders --jar ${release('v2').jar} --arg --name --arg orders --arg --release --arg v2 --strategy ${strategy} --initial-savepoint ${checkpoint}`,
        )
        expect(result.summary).toContain(`To recover: ${result.recovery}`)
        expect(savepointTriggers(fake, blueId)).toBe(1)
      } finally {
        await client.close()
        await fake.stop()
      }
    })
  }

  for (const failsTask of ['restart', 'fail'] as const) {
    it(`stop-and-restart with the checkpoint fallback: blue ${failsTask === 'restart' ? 'restarts' : 'fails'}, green starts from its latest checkpoint`, async () => {
      const { fake, client, blueId, result, releases } = await failing('stop-and-restart', failsTask, {
        checkpointFallbackMaxAgeMs: 60_000,
      })
      try {
        expect(result.outcome, result.summary).toBe('upgraded')
        expect(result.savepointPath).toMatch(/chk-\d+/)
        // Blue ended long before green started: no measure of how fast the cluster restores.
        expect(result.estimate).toBeDefined()
        const record = await releases.read(release('v2').jobName!)
        expect(record?.jobId).toBe(result.greenJobId)
        expect(record?.downtimes).toBeUndefined()
        expect(result.blueAfterSavepoint?.condition).toBe(failsTask === 'restart' ? 'restarted' : 'ended')
        const stats = await client.checkpoints.statistics({ jobid: result.greenJobId! })
        expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
        expect(fake.cluster.job(blueId)?.isTerminal).toBe(true)
        expect(savepointTriggers(fake, blueId)).toBe(1)
      } finally {
        await client.close()
        await fake.stop()
      }
    })
  }

  it('with the checkpoint fallback allowed but checkpoints deleted on cancellation, blue keeps running and the report says so', async () => {
    const { fake, client, blueId, result } = await failing(
      'stop-and-restart',
      'restart',
      { checkpointFallbackMaxAgeMs: 60_000 },
      { 'execution.checkpointing.externalized-checkpoint-retention': 'DELETE_ON_CANCELLATION' },
    )
    try {
      expect(result.outcome, result.summary).toBe('failed-needs-attention')
      expect(result.error?.step).toBe('stoppingBlue')
      expect(result.warnings).toEqual([
        "the checkpoint fallback was not taken: blue's checkpoints are deleted when it is cancelled; the fallback needs execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION",
      ])
      expect(result.running).toMatchObject([
        { role: 'blue', jobId: blueId, state: 'RUNNING', cluster: fake.url, subtasksRunning: true },
      ])
      expect(result.recovery).toContain(`--job-id ${blueId}`)
      await new Promise((r) => setTimeout(r, 300))
      expect(fake.cluster.job(blueId)?.state).toBe('RUNNING')
    } finally {
      await client.close()
      await fake.stop()
    }
  })

  it('a savepoint that fails without touching blue still ends untouched, once blue has settled', async () => {
    const fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      const releases = createMemoryReleaseRecords()
      const blueId = (await upgrade(release('v1'), { client, releases })).greenJobId!
      fake.faults.failSavepoints(1, { jobId: blueId })
      const result = await upgrade(release('v2'), { client, releases, store: createMemoryStateStore() })
      expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
      expect(result.blueAfterSavepoint).toMatchObject({ condition: 'healthy', failures: 0 })
      expect(result.blueAfterSavepoint!.watchedMs).toBeGreaterThanOrEqual(150)
      expect(fake.cluster.job(blueId)?.state).toBe('RUNNING')
    } finally {
      await client.close()
      await fake.stop()
    }
  })
})

describe('a blue whose TaskManager died during the upgrade', () => {
  /** Blue-green to a green that fails; `onGreen` acts on the cluster once green is submitted. */
  async function failingGreen(
    test: (fake: InProcessFakeFlink, blueId: string, result: UpgradeResult) => void,
    onGreen?: (fake: InProcessFakeFlink, blueId: string) => void,
  ) {
    const fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      const releases = createMemoryReleaseRecords()
      const blueId = (await upgrade(release('v1'), { client, releases })).greenJobId!
      fake.faults.failJob({ job: (j) => j.id !== blueId, restarts: 0 })
      const result = await upgrade(
        { ...release('v2'), strategy: 'blue-green' },
        {
          client,
          releases,
          onEvent: (e) => {
            if (e.type === 'job-submitted' && e.role === 'green') onGreen?.(fake, blueId)
          },
        },
      )
      test(fake, blueId, result)
    } finally {
      await client.close()
      await fake.stop()
    }
  }

  it('blue-green: green fails, blue is RUNNING with 0 subtasks running: needs attention, not "blue untouched"', () =>
    failingGreen(
      (fake, blueId, result) => {
        const total = fake.cluster.job(blueId)!.vertices.reduce((n, v) => n + v.parallelism, 0)
        expect(fake.cluster.job(blueId)?.state).toBe('RUNNING')
        expect(result.outcome, result.summary).toBe('failed-needs-attention')
        expect(result.running).toMatchObject([
          {
            role: 'blue',
            jobId: blueId,
            state: 'RUNNING',
            tasks: { running: 0, total },
            subtasksRunning: false,
          },
        ])
        expect(result.savepointPath).toBeTruthy()
        expect(result.summary).toContain(`blue job ${blueId} (RUNNING but 0 of ${total} subtasks run)`)
        expect(result.summary).toContain(`recover from savepoint ${result.savepointPath}`)
        expect(result.warnings.at(-1)).toBe(
          `blue job ${blueId} is RUNNING but 0 of ${total} subtasks run: it processes nothing (a TaskManager lost, or no free slot); recover from savepoint ${result.savepointPath}`,
        )
      },
      (fake, blueId) => fake.faults.loseTaskManager(blueId),
    ))

  it('blue-green: green fails and blue runs every subtask: aborted, blue untouched', () =>
    failingGreen((_, blueId, result) => {
      expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
      expect(result.running).toMatchObject([{ role: 'blue', jobId: blueId, subtasksRunning: true }])
      expect(result.summary).not.toContain('subtasks run')
    }))
})
