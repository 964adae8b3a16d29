import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { type FakeFlinkOptions, type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import type { Check, CheckContext, CheckResult } from './check.ts'
import {
  allVerticesRunning,
  backpressureNotHigh,
  caughtUp,
  checkpointsAfterRestore,
  customCheck,
  defaultChecks,
  recordsFlowing,
  restoredFromSavepoint,
  runChecks,
  stableFor,
  watermarksAdvance,
} from './index.ts'

// ---- a fake Flink with blue stopped with a savepoint, ready for green ----

interface Setup {
  fake: InProcessFakeFlink
  client: FlinkClient
  jarId: string
  /** Where blue was stopped. */
  savepointPath: string
  /** Runs the jar (optionally from a snapshot) and returns the job id. */
  start(body?: { savepointPath?: string }): Promise<string>
  /** Resolves when every task of the job runs (read from the fake's model, not through the checks). */
  running(jobId: string): Promise<void>
  ctx(jobId: string, extra?: Partial<CheckContext>): CheckContext
  close(): Promise<void>
}

async function setup(options: FakeFlinkOptions = {}): Promise<Setup> {
  const fake = await startFakeFlink(options)
  const client = createFlinkClient({
    baseUrl: fake.url,
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20 },
  })
  const dir = await mkdtemp(join(tmpdir(), 'verify-test-'))
  const jarPath = join(dir, 'job.jar')
  await writeFile(jarPath, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]))
  const { jarId } = await client.jars.upload(jarPath)
  const running = async (jobId: string) => {
    for (let i = 0; i < 400; i++) {
      if (fake.cluster.job(jobId)?.allTasksRunning) return
      await new Promise((r) => setTimeout(r, 5))
    }
    throw new Error(`job ${jobId} did not run`)
  }
  const start = async (body: { savepointPath?: string } = {}) =>
    (await client.jars.run({ jarid: jarId, body: { ...body, programArgsList: ['--job-name', 'orders'] } }))
      .jobid
  const blue = await start()
  await running(blue)
  const { location } = await client.operations.stopWithSavepoint(blue)
  return {
    fake,
    client,
    jarId,
    savepointPath: location,
    start,
    running,
    ctx: (jobId, extra = {}) => ({
      client,
      jobId,
      savepointPath: location,
      deadline: Date.now() + 5_000,
      ...extra,
    }),
    close: async () => {
      await client.close()
      await fake.stop()
    },
  }
}

let current: Setup | undefined
afterEach(async () => {
  await current?.close()
  current = undefined
})
async function start(...args: Parameters<typeof setup>): Promise<Setup> {
  current = await setup(...args)
  return current
}

/** How late a check may decide after its deadline: one last request and scheduling. */
const SLACK_MS = 250

describe.each(['1.20.5', '2.3.0'])('verify against fake Flink %s', (version) => {
  it('a healthy job restored from the savepoint passes every default check, with evidence', async () => {
    const s = await start({ version })
    const green = await s.start({ savepointPath: s.savepointPath })
    const seen: CheckResult[] = []
    const outcome = await runChecks(
      defaultChecks({
        savepointPath: s.savepointPath,
        checkpoints: 2,
        stabilisationMs: 300,
        recordsFlowing: true,
        backpressureNotHigh: true,
      }),
      s.ctx(green),
      { onResult: (r) => void seen.push(r) },
    )
    // Side by side: the results come in the order the checks decided.
    expect(outcome.results.map((r) => r.name).sort()).toEqual([
      'all-vertices-running',
      'backpressure-not-high',
      'caught-up',
      'checkpoints-after-restore',
      'records-flowing',
      'restored-from-savepoint',
      'stable-for',
    ])
    expect(outcome.results.every((r) => r.passed)).toBe(true)
    expect(outcome).toMatchObject({ passed: true, aborted: false })
    expect(seen).toEqual(outcome.results)

    const byName = (name: string) => outcome.results.find((r) => r.name === name)!
    const [running, restored, checkpoints] = [
      byName('all-vertices-running'),
      byName('restored-from-savepoint'),
      byName('checkpoints-after-restore'),
    ]
    const job = s.fake.cluster.job(green)!
    expect(running!.evidence).toMatchObject({
      jobState: 'RUNNING',
      vertices: Object.fromEntries(job.vertices.map((v) => [v.name, 'RUNNING'])),
    })
    // The latest subtask RUNNING time: what the downtime of an upgrade ends with.
    expect(running!.evidence.allRunningAt).toBe(
      Math.max(...job.vertices.map((v) => v.stateTimestamps.RUNNING!)),
    )
    expect(running!.evidence.allRunningAt).toBeGreaterThanOrEqual(job.timestamps.RUNNING)
    expect(restored!.evidence).toMatchObject({ restoredFrom: s.savepointPath, isSavepoint: true })
    expect((checkpoints!.evidence.completedAfterRestore as number[]).length).toBeGreaterThanOrEqual(2)
    // The checkpoints were triggered through the REST API, and the evidence says so.
    // (periodic ones every 100 ms may complete the count before the second trigger is answered)
    const triggered = checkpoints!.evidence.triggered as { checkpoints: unknown[] }
    expect(triggered.checkpoints[0]).toMatchObject({
      triggerId: expect.any(String),
      checkpointId: expect.any(Number),
    })
    // The window started once green ran, not after the other checks.
    const stable = byName('stable-for')
    expect(stable.evidence.windowStartedAt).toBeGreaterThanOrEqual(job.timestamps.RUNNING)
    expect(stable.evidence.windowStartedAt).toBeLessThan(checkpoints!.startedAt + checkpoints!.durationMs)
    for (const r of outcome.results) {
      expect(r.startedAt).toBeGreaterThan(0)
      expect(r.durationMs).toBeGreaterThanOrEqual(0)
      expect(() => JSON.stringify(r)).not.toThrow()
    }
  })

  it('a job started from a different savepoint fails restoredFromSavepoint with what it restored from', async () => {
    const s = await start({ version })
    const other = s.fake.cluster.addSavepoint('file:/tmp/elsewhere/savepoint-0ther', { stateCount: 5 })
    const green = await s.start({ savepointPath: other.path })
    const result = await restoredFromSavepoint().run(s.ctx(green))
    expect(result.passed).toBe(false)
    expect(result.message).toContain(other.path)
    expect(result.message).toContain(s.savepointPath)
    expect(result.evidence).toMatchObject({
      expected: s.savepointPath,
      restoredFrom: other.path,
      isSavepoint: true,
    })
  })
})

describe('restoredFromSavepoint', () => {
  it('accepts another spelling of the same path', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    const spelled = `${s.savepointPath.replace(/^file:/, 'file://')}/`
    expect(spelled).toMatch(/^file:\/\/\//)
    const result = await restoredFromSavepoint().run(s.ctx(green, { savepointPath: spelled }))
    expect(result).toMatchObject({ passed: true, evidence: { restoredFrom: s.savepointPath } })
  })

  it('a job started without state fails clearly, without waiting for the deadline', async () => {
    const s = await start()
    const green = await s.start()
    const t0 = Date.now()
    const result = await restoredFromSavepoint().run(s.ctx(green, { deadline: Date.now() + 5_000 }))
    expect(result.passed).toBe(false)
    expect(result.message).toMatch(/without having restored any state/)
    expect(result.evidence).toMatchObject({ restoredFrom: null })
    expect(Date.now() - t0).toBeLessThan(2_000)
  })

  it('without a savepoint path there is nothing to compare with', async () => {
    const s = await start()
    const green = await s.start()
    const result = await restoredFromSavepoint().run(s.ctx(green, { savepointPath: undefined }))
    expect(result).toMatchObject({ passed: false, evidence: { expected: null } })
  })
})

describe('stableFor', () => {
  it('fails as soon as the job fails, with the exception, long before the window ends', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    s.fake.faults.failJob({
      job: green,
      afterRunningMs: 150,
      exception: { className: 'java.lang.IllegalStateException', message: 'Counter overflow in release 2' },
    })
    const t0 = Date.now()
    const result = await stableFor({ windowMs: 10_000 }).run(s.ctx(green, { deadline: Date.now() + 20_000 }))
    const took = Date.now() - t0
    expect(result.passed).toBe(false)
    expect(took).toBeLessThan(1_500)
    // Flink reports the last failure wrapped: JobException "Recovery is suppressed by ...", caused by the task's.
    expect(result.evidence.exception).toMatchObject({
      name: expect.any(String),
      message: expect.any(String),
      rootCause: 'java.lang.IllegalStateException: Counter overflow in release 2',
    })
    expect(result.message).toContain('java.lang.IllegalStateException: Counter overflow in release 2')
  })

  it('fails on a restart even when the job is RUNNING again', async () => {
    const s = await start({ timing: { restartDelayMs: 5 } })
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    s.fake.faults.failJob({ job: green, afterRunningMs: 100, restarts: 1 })
    const result = await stableFor({ windowMs: 10_000, poll: { maxMs: 1_000 } }).run(
      s.ctx(green, { deadline: Date.now() + 20_000 }),
    )
    expect(result.passed).toBe(false)
    expect(result.message).toMatch(/restarted|left RUNNING/)
    expect(result.evidence.exception).toMatchObject({ name: 'java.lang.RuntimeException' })
  })

  it('passes a quiet window and refuses a window longer than the time left', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    const t0 = Date.now()
    const result = await stableFor({ windowMs: 400 }).run(s.ctx(green))
    expect(result.passed).toBe(true)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400)
    expect(Date.now() - t0).toBeLessThan(400 + SLACK_MS + 300)
    const tooLong = await stableFor({ windowMs: 10_000 }).run(s.ctx(green, { deadline: Date.now() + 1_000 }))
    expect(tooLong.passed).toBe(false)
    expect(tooLong.message).toMatch(/does not fit before the deadline/)
  })

  it('an abort signal stops it promptly', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 150)
    const t0 = Date.now()
    const result = await stableFor({ windowMs: 10_000 }).run(
      s.ctx(green, { deadline: Date.now() + 20_000, signal: controller.signal }),
    )
    expect(result.passed).toBe(false)
    expect(result.evidence.aborted).toBe(true)
    expect(Date.now() - t0).toBeLessThan(150 + SLACK_MS)
  })
})

describe('deadlines and errors', () => {
  it('a check that cannot pass fails at its deadline, not later', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    const deadline = Date.now() + 600
    const result = await checkpointsAfterRestore({ count: 1_000 }).run(s.ctx(green, { deadline }))
    expect(result.passed).toBe(false)
    expect(result.evidence.deadlineReached).toBe(true)
    expect(Date.now()).toBeGreaterThanOrEqual(deadline)
    expect(Date.now()).toBeLessThanOrEqual(deadline + SLACK_MS)
    expect(result.message).toMatch(/at the deadline/)
  })

  it('a job that never gets its slots fails allVerticesRunning at the deadline, with what it saw', async () => {
    const s = await start({ slotsPerTaskManager: 1 })
    const stuck = (await s.client.jars.run({ jarid: s.jarId, body: { parallelism: 2 } })).jobid
    const deadline = Date.now() + 500
    const result = await allVerticesRunning().run(s.ctx(stuck, { deadline }))
    expect(result.passed).toBe(false)
    expect(result.evidence).toMatchObject({ jobState: 'CREATED', deadlineReached: true })
    expect(Date.now()).toBeLessThanOrEqual(deadline + SLACK_MS)
  })

  it('checkpointsAfterRestore fails at once when checkpointing is disabled', async () => {
    const s = await start({ timing: { checkpointIntervalMs: 0 } })
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    const t0 = Date.now()
    const result = await checkpointsAfterRestore().run(s.ctx(green))
    expect(result).toMatchObject({ passed: false, message: 'Checkpointing is disabled for this job' })
    expect(Date.now() - t0).toBeLessThan(1_000)
  })

  it('waits out transient failures of the REST API', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    s.fake.faults.failNext(6, 503, { match: 'GET /jobs/:jobid' })
    const result = await allVerticesRunning().run(s.ctx(green))
    expect(result.passed).toBe(true)
  })

  it('a non-transient client error fails the check at once with the error as evidence', async () => {
    const s = await start()
    const t0 = Date.now()
    const result = await allVerticesRunning().run(s.ctx('0123456789abcdef0123456789abcdef'))
    expect(result.passed).toBe(false)
    expect(result.evidence).toMatchObject({ errorCode: 'FLINK_API_ERROR' })
    expect(Date.now() - t0).toBeLessThan(1_000)
  })

  it('runChecks turns a throwing check into a failed result and stops the others', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    let ranAfter = false
    const throwing: Check = {
      name: 'throws',
      run: async () => {
        await new Promise((r) => setTimeout(r, 20))
        throw new Error('boom')
      },
    }
    const after: Check = {
      name: 'after',
      after: ['throws'],
      run: async () => {
        ranAfter = true
        return { name: 'after', passed: true, message: '', evidence: {}, startedAt: 0, durationMs: 0 }
      },
    }
    const t0 = Date.now()
    const outcome = await runChecks(
      [throwing, stableFor({ windowMs: 10_000, since: 'job-start' }), after],
      s.ctx(green, { deadline: Date.now() + 20_000 }),
    )
    expect(outcome).toMatchObject({ passed: false, aborted: false })
    // The window was stopped by the failure: it has no verdict of its own.
    expect(outcome.results.map((r) => [r.name, r.passed])).toEqual([['throws', false]])
    expect(outcome.results[0]!.evidence).toMatchObject({ error: 'Error: boom' })
    expect(ranAfter).toBe(false)
    expect(Date.now() - t0).toBeLessThan(1_000)
  })

  it('runChecks refuses a check that waits for one not before it', async () => {
    const s = await start()
    const waiting: Check = { ...allVerticesRunning(), name: 'waiting', after: ['later'] }
    await expect(runChecks([waiting, allVerticesRunning()], s.ctx('0'.repeat(32)))).rejects.toThrow(
      /check waiting waits for later, which is not earlier in the list/,
    )
  })

  it('runChecks stops when aborted and says so', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    const controller = new AbortController()
    const outcome = await runChecks(
      [allVerticesRunning(), stableFor({ windowMs: 10_000, since: 'job-start' })],
      s.ctx(green, { deadline: Date.now() + 20_000, signal: controller.signal }),
      {
        onResult: (r) => void (r.name === 'all-vertices-running' && setTimeout(() => controller.abort(), 50)),
      },
    )
    expect(outcome).toMatchObject({ passed: false, aborted: true })
    expect(outcome.results.map((r) => r.name)).toEqual(['all-vertices-running', 'stable-for'])
    expect(outcome.results[1]!.evidence.aborted).toBe(true)
  })
})

describe('faster verification', () => {
  it('a triggered checkpoint proves checkpointing long before the periodic one', async () => {
    const s = await start({ timing: { checkpointIntervalMs: 60_000 } })
    const green = await s.start({ savepointPath: s.savepointPath })
    const t0 = Date.now()
    const result = await checkpointsAfterRestore({ trigger: true }).run(s.ctx(green))
    expect(result.passed, result.message).toBe(true)
    expect(Date.now() - t0).toBeLessThan(1_500)
    expect(result.message).toMatch(/\(checkpoint \d+ triggered by flink-deploy\)$/)
    const triggered = result.evidence.triggered as { checkpoints: { checkpointId: number }[] }
    expect(result.evidence.completedAfterRestore).toEqual([triggered.checkpoints[0]!.checkpointId])
    // Without the trigger the same check has only the periodic checkpoint to wait for.
    const green2 = await s.start({ savepointPath: s.savepointPath })
    const waited = await checkpointsAfterRestore().run(s.ctx(green2, { deadline: Date.now() + 600 }))
    expect(waited).toMatchObject({ passed: false, evidence: { deadlineReached: true } })
    expect(waited.evidence.triggered).toBeUndefined()
  })

  it('a refused trigger is evidence; the check then waits for periodic checkpoints as before', async () => {
    const s = await start({ timing: { checkpointIntervalMs: 60_000 } })
    const green = await s.start({ savepointPath: s.savepointPath })
    s.fake.faults.failNext(1, 400, { match: 'POST /jobs/:jobid/checkpoints' })
    const deadline = Date.now() + 800
    const result = await checkpointsAfterRestore({ trigger: true }).run(s.ctx(green, { deadline }))
    expect(result).toMatchObject({ passed: false, evidence: { deadlineReached: true } })
    expect(result.message).toMatch(/the checkpoint triggered by flink-deploy failed: .*400/)
    expect(result.evidence.triggered).toMatchObject({
      checkpoints: [{ triggerId: expect.stringMatching(/^[0-9a-f]{32}$/), error: expect.any(String) }],
    })
  })

  it('never triggers a checkpoint for a job that has checkpointing disabled', async () => {
    const s = await start({ timing: { checkpointIntervalMs: 0 } })
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    const result = await checkpointsAfterRestore({ trigger: true }).run(s.ctx(green))
    expect(result).toMatchObject({ passed: false, message: 'Checkpointing is disabled for this job' })
    expect(result.evidence.triggered).toBeUndefined()
    expect(s.fake.cluster.job(green)!.checkpointCounts.total).toBe(0)
  })

  it('a window from the job start waits for the job to run, then catches a restart it did not see happen', async () => {
    const s = await start({ timing: { restartDelayMs: 5 } })
    const quiet = await s.start({ savepointPath: s.savepointPath })
    const passed = await stableFor({ windowMs: 300, since: 'job-start' }).run(s.ctx(quiet))
    expect(passed.passed, passed.message).toBe(true)
    expect(passed.evidence.windowStartedAt).toBeGreaterThanOrEqual(
      s.fake.cluster.job(quiet)!.timestamps.RUNNING,
    )

    const restarted = await s.start({ savepointPath: s.savepointPath })
    await s.running(restarted)
    s.fake.faults.failJob({ job: restarted, afterRunningMs: 300, restarts: 1 })
    const job = s.fake.cluster.job(restarted)!
    await vi.waitFor(() => {
      if (!(job.timestamps.RESTARTING && job.allTasksRunning)) throw new Error('not restarted yet')
    })
    const result = await stableFor({ windowMs: 300, since: 'job-start' }).run(s.ctx(restarted))
    expect(result.passed).toBe(false)
    expect(result.message).toMatch(/^The job restarted/)
  })

  it('the default checks run side by side: the total is about the longest check, not the sum', async () => {
    const s = await start({ timing: { checkpointIntervalMs: 60_000 } })
    const green = await s.start({ savepointPath: s.savepointPath })
    let customStartedAt = 0
    const custom = customCheck('my-check', async () => {
      customStartedAt = Date.now()
      return true
    })
    const t0 = Date.now()
    const outcome = await runChecks(
      defaultChecks({ savepointPath: s.savepointPath, stabilisationMs: 500, custom: [custom] }),
      s.ctx(green),
    )
    const took = Date.now() - t0
    expect(outcome.passed, JSON.stringify(outcome.results)).toBe(true)
    expect(took).toBeGreaterThanOrEqual(500)
    expect(took).toBeLessThan(500 + 1_000)
    // User checks start only once every standard check passed.
    const standard = outcome.results.filter((r) => r.name !== 'my-check' && r.name !== 'stable-for')
    expect(customStartedAt).toBeGreaterThanOrEqual(
      Math.max(...standard.map((r) => r.startedAt + r.durationMs)),
    )
  })
})

describe('customCheck', () => {
  it('passes the context, takes a verdict with evidence, and turns a throw into a failure', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    const count = customCheck('state-continues', async (ctx) => {
      const [metric] = await ctx.client.jobs.metrics({
        jobid: ctx.jobId,
        query: { get: ['stateCount'] },
        signal: ctx.signal,
      })
      return {
        passed: Number(metric?.value) > 0,
        message: 'state carried over',
        evidence: { stateCount: metric?.value },
      }
    })
    expect(await count.run(s.ctx(green))).toMatchObject({
      passed: true,
      evidence: { stateCount: expect.any(String) },
    })
    const failing = customCheck('fails', async () => {
      throw new Error('no such table')
    })
    expect(await failing.run(s.ctx(green))).toMatchObject({
      passed: false,
      evidence: { error: 'Error: no such table' },
    })
    expect(await customCheck('false', async () => false).run(s.ctx(green))).toMatchObject({ passed: false })
  })

  it('a custom check that never answers fails at the deadline; its signal aborts then', async () => {
    let signalled = false
    const hang = customCheck('hangs', (ctx) => {
      ctx.signal?.addEventListener('abort', () => {
        signalled = true
      })
      return new Promise(() => {})
    })
    const deadline = Date.now() + 300
    const result = await hang.run({ client: undefined as never, jobId: 'x', deadline })
    expect(result).toMatchObject({ passed: false, evidence: { deadlineReached: true } })
    expect(Date.now()).toBeLessThanOrEqual(deadline + SLACK_MS)
    expect(signalled).toBe(true)
  })
})

describe('flow checks', () => {
  it('records and back pressure of a running job; the example job has no watermarks', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    const source = s.fake.cluster.job(green)!.vertices[0]!.name
    const ctx = s.ctx(green)
    const records = await recordsFlowing().run(ctx)
    expect(records).toMatchObject({ passed: true, evidence: { sources: [source] } })
    const backpressure = await backpressureNotHigh().run(ctx)
    expect(backpressure).toMatchObject({ passed: true, evidence: { levels: { [source]: 'ok' } } })
    // Long.MIN_VALUE everywhere: no watermark, so they cannot advance.
    const watermarks = await watermarksAdvance().run(s.ctx(green, { deadline: Date.now() + 300 }))
    expect(watermarks).toMatchObject({
      passed: false,
      message: expect.stringContaining('No vertex has a watermark'),
    })
    expect(
      Object.values(watermarks.evidence.watermarks as Record<string, unknown>).every((w) => w === null),
    ).toBe(true)
  })

  it('watermarks that advance pass (stub client)', async () => {
    let now = 1_000_000
    const vertices = [
      { id: 'a'.repeat(32), name: 'Source: events' },
      { id: 'b'.repeat(32), name: 'window' },
    ]
    const client = {
      jobs: { get: async () => ({ state: 'RUNNING', vertices }) },
      vertices: {
        watermarks: async ({ vertexid }: { vertexid: string }) => {
          now += 500
          return vertexid === vertices[0]!.id
            ? [{ id: '0.currentInputWatermark', value: '-9223372036854775808' }]
            : [
                { id: '0.currentInputWatermark', value: String(now) },
                { id: '1.currentInputWatermark', value: String(now - 100) },
              ]
        },
      },
    }
    const result = await watermarksAdvance().run({
      client: client as never,
      jobId: 'c'.repeat(32),
      deadline: Date.now() + 2_000,
    })
    expect(result).toMatchObject({ passed: true, evidence: { advanced: ['window'] } })
    expect((result.evidence.watermarks as Record<string, unknown>)['Source: events']).toBeNull()
  })

  it('records stop flowing when the job is cancelled', async () => {
    const s = await start()
    const green = await s.start({ savepointPath: s.savepointPath })
    await s.running(green)
    await s.client.jobs.cancel({ jobid: green })
    const result = await recordsFlowing().run(s.ctx(green, { deadline: Date.now() + 2_000 }))
    expect(result.passed).toBe(false)
  })
})

describe('caughtUp', () => {
  /** A backlog that starts at `from` when first read and changes by `perSecond` (negative: falling). */
  const backlog = (from: number, perSecond: number) => {
    let t0: number | undefined
    return () => {
      t0 ??= Date.now()
      return Math.max(0, Math.round(from + ((Date.now() - t0) / 1000) * perSecond))
    }
  }

  it('passes at once when the backlog is below the bound, with the count as evidence', async () => {
    const s = await start()
    s.fake.cluster.sourceBacklog = () => 12
    const green = await s.start()
    await s.running(green)
    const result = await caughtUp({ maxPending: 1_000 }).run(s.ctx(green))
    expect(result.passed, result.message).toBe(true)
    expect(result.message).toBe('pending records 12 (was 12 at start), at most 1 000')
    expect(result.evidence).toMatchObject({
      pendingRecords: 12,
      pendingRecordsAtStart: 12,
      maxPending: 1_000,
    })
    expect(result.evidence.bySource).toEqual({ 'Source: events': 12 })
  })

  it('passes a backlog above the bound that keeps falling for the window', async () => {
    const s = await start()
    s.fake.cluster.sourceBacklog = backlog(4_310, -1_000)
    const green = await s.start()
    await s.running(green)
    const result = await caughtUp({ maxPending: 100, windowMs: 300 }).run(s.ctx(green))
    expect(result.passed, result.message).toBe(true)
    expect(result.message).toMatch(
      /^pending records [\d ]+ \(was \d{1,2} \d{3} at start\), falling for \d+ ms/,
    )
    expect(result.evidence.pendingRecords as number).toBeLessThan(
      result.evidence.pendingRecordsAtStart as number,
    )
    expect(result.evidence.pendingRecords as number).toBeGreaterThan(100)
  })

  it('fails a growing backlog at the deadline, with what it saw', async () => {
    const s = await start()
    s.fake.cluster.sourceBacklog = backlog(4_310, 5_000)
    const green = await s.start()
    await s.running(green)
    const deadline = Date.now() + 1_000
    const result = await caughtUp({ maxPending: 100, windowMs: 200 }).run(s.ctx(green, { deadline }))
    expect(result.passed).toBe(false)
    expect(Date.now()).toBeLessThan(deadline + SLACK_MS)
    expect(result.message).toMatch(
      /^Still not satisfied at the deadline: pending records [\d ]+ \(was \d{1,2} \d{3} at start\): above 100 and not falling for 200 ms$/,
    )
    expect(result.evidence.pendingRecords as number).toBeGreaterThan(
      result.evidence.pendingRecordsAtStart as number,
    )
  })

  it('is skipped, with the reason, for sources that report no backlog (the example job)', async () => {
    const s = await start()
    const green = await s.start()
    await s.running(green)
    const result = await caughtUp().run(s.ctx(green))
    expect(result.passed).toBe(true)
    expect(result.message).toBe('Skipped: the sources (Source: events) report no pendingRecords metric')
    expect(result.evidence).toMatchObject({ skipped: true, reason: 'no pendingRecords metric' })
  })

  it('a malformed metric answer fails clearly at the deadline, naming the answer', async () => {
    const s = await start()
    s.fake.cluster.sourceBacklog = () => 5_000
    const green = await s.start()
    await s.running(green)
    s.fake.faults.malformed('html', { match: 'GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics' })
    const result = await caughtUp().run(s.ctx(green, { deadline: Date.now() + 600 }))
    expect(result.passed).toBe(false)
    expect(result.message).toMatch(
      /^Still not satisfied at the deadline: the last request failed: .*subtasks\/metrics/,
    )
    expect(result.evidence.errorCode).toBe('FLINK_RESPONSE_SHAPE')
  })

  it('is skipped, not failed, when Flink lists no metric of the sources before the deadline nears (stub client)', async () => {
    const s = await start()
    const green = await s.start()
    await s.running(green)
    const client = new Proxy(s.client, {
      get: (target, key) =>
        key === 'vertices'
          ? { ...target.vertices, subtasksMetrics: async () => [] }
          : Reflect.get(target, key),
    })
    const deadline = Date.now() + 1_500
    const result = await caughtUp().run(s.ctx(green, { client, deadline }))
    expect(result.passed, result.message).toBe(true)
    expect(Date.now()).toBeLessThan(deadline)
    expect(result.message).toMatch(/^Skipped: Flink listed no metrics of the sources in \d+ ms$/)
    expect(result.evidence).toMatchObject({ skipped: true, reason: 'no source metrics listed' })
  })

  it('a metric answer without a record count fails at once (stub client)', async () => {
    const s = await start()
    const green = await s.start()
    await s.running(green)
    const client = new Proxy(s.client, {
      get(target, key) {
        if (key !== 'vertices') return Reflect.get(target, key)
        return {
          ...target.vertices,
          subtasksMetrics: async (args: { query?: { get?: string[] } }) =>
            args.query?.get
              ? [{ id: 'Source__events.pendingRecords', max: 3 }]
              : [{ id: 'Source__events.pendingRecords' }],
        }
      },
    })
    const result = await caughtUp().run(s.ctx(green, { client }))
    expect(result.passed).toBe(false)
    expect(result.message).toBe(
      'Flink answered Source__events.pendingRecords of Source: events without a record count: {"id":"Source__events.pendingRecords","max":3}',
    )
  })
})
