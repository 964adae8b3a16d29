/**
 * Whole upgrades through the public API against the fake Flink: the example job (its default program),
 * with one program second lasting 20 ms so `--fail-after 1` fails fast.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import type { UpgradeEmitted } from '../machines/upgrade-setup.ts'
import { createFileReleaseRecords } from '../store/release-record.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from './options.ts'
import { promote, reject, resume, upgrade } from './run-upgrade.ts'

let dir: string
let fake: InProcessFakeFlink
let client: FlinkClient
let stateFile: string
let events: UpgradeEmitted[]

function jar(name: string, marker: string): string {
  const path = join(dir, name)
  writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(marker)]))
  return path
}

const quickVerify = { checkpoints: 1, stabilisationMs: 150, timeoutMs: 5_000 }
/** A release of the example job: its jar (content differs per build) and arguments. */
const release = (build: string, extra: string[] = []): UpgradeOptions => ({
  jobName: 'orders',
  jar: jar(`orders-${build}.jar`, build),
  args: ['--name', 'orders', '--release', build === 'v1' ? 'v1' : 'v2', ...extra],
  verify: quickVerify,
  timeouts: { blueSettleMs: 200 },
})
const runtime = () => ({ client, stateFile, onEvent: (e: UpgradeEmitted) => events.push(e) })

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flink-deploy-upgrade-'))
  stateFile = join(dir, 'state', 'orders.json')
  fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
  client = createFlinkClient({ baseUrl: fake.url })
  events = []
})
afterEach(async () => {
  await client.close()
  await fake.stop()
})

async function deployV1(): Promise<string> {
  const first = await upgrade(release('v1'), runtime())
  expect(first.outcome).toBe('upgraded')
  await expect.poll(() => fake.cluster.job(first.greenJobId!)?.stateCount() ?? 0).toBeGreaterThan(50)
  events = []
  return first.greenJobId!
}

describe('stop-and-restart', () => {
  it('a first deployment starts the job with empty state and records the release', async () => {
    const result = await upgrade(release('v1'), runtime())
    expect(result).toMatchObject({ outcome: 'upgraded', blueJobId: undefined, savepointPath: undefined })
    expect(result.running).toMatchObject([{ role: 'green', jobId: result.greenJobId }])
    const record = await createFileReleaseRecords(join(dir, 'state', 'releases')).read('orders')
    expect(record).toMatchObject({
      jobId: result.greenJobId,
      programArgs: ['--name', 'orders', '--release', 'v1'],
    })
  })

  it("totalMs is the time from the runtime's startedAt (the command's start) to the result", async () => {
    const commandStart = Date.now() - 2_000
    const result = await upgrade(release('v1'), { ...runtime(), startedAt: commandStart })
    const answeredAt = Date.now()
    expect(result.totalMs).toBeGreaterThanOrEqual(2_000)
    expect(result.totalMs).toBeLessThanOrEqual(answeredAt - commandStart)
    expect(commandStart + result.totalMs).toBeGreaterThanOrEqual(result.timeline.endedAt)
  })

  it('upgrades v1 to v2: green restores blue savepoint and the state count continues', async () => {
    const blueId = await deployV1()
    const result = await upgrade(release('v2'), runtime())

    expect(result.outcome).toBe('upgraded')
    expect(result.blueJobId).toBe(blueId)
    expect(fake.cluster.job(blueId)!.state).toBe('FINISHED')
    const green = fake.cluster.job(result.greenJobId!)!
    expect(green.restored?.externalPath ?? green.restored).toBeDefined()
    const stats = await client.checkpoints.statistics({ jobid: result.greenJobId! })
    expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
    expect(fake.cluster.snapshot(result.savepointPath!)?.stateCount).toBeGreaterThan(50)
    expect(green.stateCount()).toBeGreaterThanOrEqual(
      fake.cluster.snapshot(result.savepointPath!)!.stateCount,
    )
    expect(result.downtimeMs).toBeGreaterThanOrEqual(0)
    expect(result.running).toMatchObject([{ role: 'green', jobId: result.greenJobId }])

    const order = events.map((e) => (e.type === 'step-entered' ? e.step : e.type))
    // Progress reports come as often as the steps take polls: their own test is progress.test.ts.
    const timed = ['step-left', 'check-result', 'savepoint-progress', 'restore-progress']
    expect(order.filter((s) => !timed.includes(s))).toEqual([
      'preflight',
      // before blue is touched
      'estimate',
      'stoppingBlue',
      'savepoint-taken',
      'startingGreen',
      'job-submitted',
      'verifyingGreen',
      'recordingRelease',
    ])
    const persisted = JSON.parse(readFileSync(stateFile, 'utf8'))
    expect(persisted.snapshot.status).toBe('done')
    expect(persisted.snapshot.context.savepoint.location).toBe(result.savepointPath)
  })

  it('rolls back a release that crashes after starting: blue runs again from the savepoint', async () => {
    const blueId = await deployV1()
    const result = await upgrade(release('v3', ['--fail-after', '1', '--restart-attempts', '0']), runtime())

    expect(result.outcome, JSON.stringify([result.error, result.steps])).toBe('rolled-back')
    expect(result.error).toMatchObject({ step: 'verifyingGreen' })
    expect(fake.cluster.job(result.greenJobId!)!.state).toMatch(/FAILED|CANCELED/)
    const restarted = result.running.find((r) => r.role === 'blue-restarted')!
    expect(restarted).toBeDefined()
    const stats = await client.checkpoints.statistics({ jobid: restarted.jobId })
    expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
    expect(fake.cluster.job(restarted.jobId)!.stateCount()).toBeGreaterThan(50)
    expect(result.summary).toContain(`recover from savepoint ${result.savepointPath}`)
    expect(events.some((e) => e.type === 'rollback-started')).toBe(true)
    expect(fake.cluster.job(blueId)!.state).toBe('FINISHED')
  })

  it('rolls back a green whose sources fall further behind; one that catches up is upgraded with the evidence', async () => {
    const blueId = await deployV1()
    // Green's backlog grows from 4 310 by 5 000 records a second: too slow to catch up.
    const started = new Map<string, number>()
    fake.cluster.sourceBacklog = (job) => {
      if (job.id === blueId) return 0
      const t0 = started.get(job.id) ?? Date.now()
      started.set(job.id, t0)
      return 4_310 + Math.round(((Date.now() - t0) / 1000) * 5_000)
    }
    const behind = await upgrade(
      {
        ...release('v2'),
        verify: { ...quickVerify, timeoutMs: 1_500, caughtUpMaxPending: 100, caughtUpWindowMs: 300 },
      },
      runtime(),
    )
    expect(behind.outcome, behind.summary).toBe('rolled-back')
    const failed = behind.checks.find((c) => c.name === 'caught-up')!
    expect(failed.passed).toBe(false)
    expect(failed.message).toMatch(/pending records [\d ]+ \(was \d{1,2} \d{3} at start\): above 100/)
    expect(behind.error).toMatchObject({ step: 'verifyingGreen' })
    // The blue started again is not held to the bound: it comes back with its own backlog.
    const restarted = behind.running.find((r) => r.role === 'blue-restarted')!
    expect(restarted).toMatchObject({ subtasksRunning: true })
    expect(behind.rollbackChecks.map((c) => c.name)).not.toContain('caught-up')

    fake.cluster.sourceBacklog = () => 12
    const caught = await upgrade(release('v2'), runtime())
    expect(caught.outcome, caught.summary).toBe('upgraded')
    expect(caught.checks.find((c) => c.name === 'caught-up')).toMatchObject({
      passed: true,
      message: 'pending records 12 (was 12 at start), at most 1 000',
    })
  })

  it('a rollback runs the recorded release even when the next build overwrote its jar file', async () => {
    const path = join(dir, 'orders.jar')
    writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from('build 1')]))
    const first = await upgrade({ ...release('v1'), jar: path }, runtime())
    const blueJar = fake.cluster.job(first.greenJobId!)!.jarId
    await expect.poll(() => fake.cluster.job(first.greenJobId!)!.stateCount()).toBeGreaterThan(50)

    writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from('build 2')]))
    const result = await upgrade(
      { ...release('v3', ['--fail-after', '1', '--restart-attempts', '0']), jar: path },
      runtime(),
    )

    expect(result.outcome, result.summary).toBe('rolled-back')
    const restarted = result.running.find((r) => r.role === 'blue-restarted')!
    expect(fake.cluster.job(restarted.jobId)!.jarId).toBe(blueJar)
    expect(fake.cluster.job(result.greenJobId!)!.jarId).not.toBe(blueJar)
  })

  it('refuses an incompatible release in preflight and leaves blue untouched', async () => {
    const blueId = await deployV1()
    const result = await upgrade(release('v2', ['--topology', 'incompatible']), runtime())

    expect(result.outcome).toBe('aborted-blue-untouched')
    expect(result.error).toMatchObject({ step: 'preflight', code: 'PREFLIGHT_FAILED' })
    expect(result.error!.message).toContain('would not restore the state of counter')
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
    expect(fake.cluster.jobs()).toHaveLength(1)
  })

  it('a dry run changes nothing and says what it would do', async () => {
    const blueId = await deployV1()
    const jarsBefore = fake.cluster.jars().length
    const result = await upgrade({ ...release('v2'), dryRun: true }, runtime())

    expect(result.outcome).toBe('dry-run')
    expect(result.plan[0]).toBe(`stop blue ${blueId} with a canonical savepoint`)
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
    expect(fake.cluster.jobs()).toHaveLength(1)
    expect(fake.cluster.snapshots().filter((s) => s.isSavepoint)).toHaveLength(0)
    // Preflight uploads green's jar to read its plan; nothing else is created.
    expect(fake.cluster.jars().length).toBeLessThanOrEqual(jarsBefore + 1)
  })

  it('a failed savepoint leaves blue running and says so', async () => {
    const blueId = await deployV1()
    fake.faults.failSavepoints(1)
    const result = await upgrade(release('v2'), runtime())

    expect(result.outcome).toBe('aborted-blue-untouched')
    expect(result.error).toMatchObject({ step: 'stoppingBlue', code: 'FLINK_OPERATION_FAILED' })
    expect(result.running).toMatchObject([{ role: 'blue', jobId: blueId }])
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
  })

  it('refuses bad options before touching the cluster', async () => {
    await expect(
      upgrade({ jobName: 'orders', jobId: 'a'.repeat(32), jar: 'x.jar' }, runtime()),
    ).rejects.toThrow('Invalid jobName: give exactly one of jobName and jobId to choose the job to upgrade')
    await expect(upgrade({ jobName: 'orders', jar: '' }, runtime())).rejects.toThrow(
      'Invalid jar: empty; expected the path of the new release jar',
    )
    expect(fake.requests.length).toBe(0)
  })

  it('two runs cannot upgrade the same job at once', async () => {
    await deployV1()
    const [a, b] = await Promise.allSettled([
      upgrade(release('v2'), runtime()),
      upgrade(release('v2'), runtime()),
    ])
    const outcomes = [a, b].map((r) =>
      r.status === 'fulfilled' ? r.value.outcome : (r.reason as { code: string }).code,
    )
    expect(outcomes.sort()).toEqual(['UPGRADE_LOCKED', 'upgraded'])
  })
})

describe('options', () => {
  it('falls back to the latest checkpoint when blue is too unhealthy for a savepoint, only if allowed', async () => {
    const blueId = await deployV1()
    fake.faults.failJob({ job: blueId, afterRunningMs: 0, restarts: Number.POSITIVE_INFINITY })
    await expect.poll(() => fake.cluster.job(blueId)!.state).not.toBe('RUNNING')

    const refused = await upgrade(release('v2'), runtime())
    expect(refused.outcome).toBe('aborted-blue-untouched')
    expect(refused.error?.message).toMatch(/not (RUNNING|running)/)

    const result = await upgrade({ ...release('v2'), checkpointFallbackMaxAgeMs: 60_000 }, runtime())
    expect(result.outcome, result.summary).toBe('upgraded')
    expect(result.savepointPath).toMatch(/chk-\d+/)
    expect(result.warnings).toContain(
      'blue could not take a savepoint; green starts from its latest checkpoint',
    )
    expect(fake.cluster.job(blueId)!.state).toBe('CANCELED')
    const stats = await client.checkpoints.statistics({ jobid: result.greenJobId! })
    expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
  })

  it('stateless starts green empty, and only when asked', async () => {
    await deployV1()
    const result = await upgrade({ ...release('v2'), stateless: true }, runtime())
    expect(result.outcome, result.summary).toBe('upgraded')
    const stats = await client.checkpoints.statistics({ jobid: result.greenJobId! })
    expect(stats.latest.restored ?? null).toBeNull()
    // Everything green holds it counted itself (blue had counted more than 50 before it stopped).
    const green = fake.cluster.job(result.greenJobId!)!
    const now = Date.now()
    expect(green.stateCount(now) - green.processedSinceStart(now)).toBe(0)
    expect(fake.cluster.job(result.blueJobId!)!.stateCount()).toBeGreaterThan(50)
  })

  it('a first deployment can start from a given savepoint', async () => {
    const savepoint = 'file:/tmp/fake-flink/savepoints/savepoint-abcdef-0123456789ab'
    fake.cluster.addSavepoint(savepoint, { stateCount: 4_242 })
    const result = await upgrade({ ...release('v1'), initialSavepoint: savepoint }, runtime())
    expect(result.outcome, result.summary).toBe('upgraded')
    const stats = await client.checkpoints.statistics({ jobid: result.greenJobId! })
    expect(stats.latest.restored?.external_path).toBe(savepoint)
    expect(fake.cluster.job(result.greenJobId!)!.stateCount()).toBeGreaterThanOrEqual(4_242)
  })

  it('allowNonRestoredState lets a release drop state the plan check flagged', async () => {
    await deployV1()
    const result = await upgrade(
      { ...release('v2', ['--topology', 'incompatible']), allowNonRestoredState: true },
      runtime(),
    )
    expect(result.outcome, result.summary).toBe('upgraded')
  })

  it('blue-green refuses in preflight when green would not fit beside blue', async () => {
    const blueId = await deployV1()
    const result = await upgrade({ ...release('v2'), strategy: 'blue-green', parallelism: 8 }, runtime())
    expect(result.outcome).toBe('aborted-blue-untouched')
    expect(result.error?.message).toBe(
      'Blue-green needs 8 free slots to run green beside blue; the cluster has 3',
    )
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
  })
})

describe('blue-green on a job with a transactional sink', () => {
  /** A Kafka exactly-once job: its sink's committer shows in the plan, as on Flink 1.20 and 2.3. */
  const kafkaRelease = (build: string): UpgradeOptions => {
    const path = jar(`kafka-${build}.jar`, build)
    // the name the jar is stored under on the cluster (upload-release.ts): its content hash in the name
    const sha = createHash('sha256').update(readFileSync(path)).digest('hex')
    fake.cluster.registerProgram(`kafka-${build}-${sha.slice(0, 12)}.jar`, {
      vertices: ['Source: orders-in', 'counter -> orders-out: Writer -> orders-out: Committer'],
    })
    return { ...release(build), jar: path, strategy: 'blue-green' }
  }

  it('is refused before green is uploaded, naming the sink, why and the alternatives; blue keeps running', async () => {
    const first = await upgrade(kafkaRelease('v1'), runtime())
    expect(first.outcome, first.summary).toBe('upgraded')
    const jars = fake.cluster.jars().length
    const result = await upgrade(kafkaRelease('v2'), runtime())
    expect(result.outcome).toBe('aborted-blue-untouched')
    expect(result.error).toMatchObject({ step: 'preflight', code: 'PREFLIGHT_FAILED' })
    expect(result.error!.message).toContain(
      `Blue-green refused for blue ${first.greenJobId}: green restores blue's state of the transactional sink orders-out`,
    )
    expect(result.error!.message).toContain('Use stop-and-restart instead')
    expect(result.error!.message).toContain('--accept-duplicates-and-fencing')
    expect(fake.cluster.jars()).toHaveLength(jars)
    expect(fake.cluster.jobs()).toHaveLength(1)
    expect(fake.cluster.job(first.greenJobId!)!.state).toBe('RUNNING')
  })

  it('runs when duplicates and fencing are accepted; the plan and the warnings say what it does to the output', async () => {
    await upgrade(kafkaRelease('v1'), runtime())
    const dry = await upgrade(
      { ...kafkaRelease('v2'), acceptDuplicatesAndFencing: true, dryRun: true },
      runtime(),
    )
    expect(dry.outcome).toBe('dry-run')
    expect(dry.plan).toContainEqual(
      expect.stringMatching(
        /^while both run: green restores blue's state of the transactional sink orders-out.*fence blue's.*lost or duplicated \(accepted\)$/,
      ),
    )
    const result = await upgrade({ ...kafkaRelease('v2'), acceptDuplicatesAndFencing: true }, runtime())
    expect(result.outcome, result.summary).toBe('upgraded')
    expect(result.warnings).toContainEqual(
      expect.stringContaining('Blue-green with duplicates and fencing accepted'),
    )
  })

  it('a job without committing sinks is not refused; its blue-green plan still says both write the output', async () => {
    await deployV1()
    const dry = await upgrade({ ...release('v2'), strategy: 'blue-green', dryRun: true }, runtime())
    expect(dry.plan).toContain(
      'while both run, blue and green each write their own copy of the output: duplicates downstream unless the sinks are idempotent',
    )
  })
})

describe('cancellation', () => {
  it('stops at the next safe point: once green runs from the savepoint, and resume() finishes the run', async () => {
    await deployV1()
    const controller = new AbortController()
    const run = upgrade(release('v2'), {
      ...runtime(),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'savepoint-taken') controller.abort()
      },
    })
    const stopped = await run
    expect(stopped.outcome).toBe('failed-needs-attention')
    expect(stopped.error).toMatchObject({ code: 'CANCELLED', step: 'verifyingGreen' })
    expect(stopped.running).toMatchObject([{ role: 'green', jobId: stopped.greenJobId }])
    expect(stopped.summary).toContain(`recover from savepoint ${stopped.savepointPath}`)

    const resumed = await resume(runtime())
    expect(resumed).toMatchObject({
      outcome: 'upgraded',
      greenJobId: stopped.greenJobId,
      savepointPath: stopped.savepointPath,
    })
  })

  it('cancelled before anything changed: blue untouched', async () => {
    const blueId = await deployV1()
    const controller = new AbortController()
    controller.abort()
    const result = await upgrade(release('v2'), { ...runtime(), signal: controller.signal })
    expect(result.outcome).toBe('aborted-blue-untouched')
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
  })
})

describe('blue-green', () => {
  it('starts green beside blue, verifies it, then stops blue with a final savepoint', async () => {
    const blueId = await deployV1()
    const result = await upgrade({ ...release('v2'), strategy: 'blue-green' }, runtime())

    expect(result.outcome).toBe('upgraded')
    expect(fake.cluster.job(blueId)!.state).toBe('FINISHED')
    const stats = await client.checkpoints.statistics({ jobid: result.greenJobId! })
    expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
    expect(result.duplicateWindowMs).toBeGreaterThan(0)
    expect(events.filter((e) => e.type === 'savepoint-taken')).toHaveLength(2)
  })

  it('with manual promotion, waits; promote() in a new call stops blue', async () => {
    const blueId = await deployV1()
    const waiting = await upgrade(
      { ...release('v2'), strategy: 'blue-green', manualPromotion: true },
      runtime(),
    )
    expect(waiting.outcome).toBe('awaiting-promotion')
    expect(waiting.running.map((r) => r.role).sort()).toEqual(['blue', 'green'])

    const promoted = await promote(runtime())
    expect(promoted.outcome).toBe('upgraded')
    expect(promoted.greenJobId).toBe(waiting.greenJobId)
    expect(fake.cluster.job(blueId)!.state).toBe('FINISHED')
  })

  it('reject() cancels green and leaves blue untouched', async () => {
    const blueId = await deployV1()
    const waiting = await upgrade(
      { ...release('v2'), strategy: 'blue-green', manualPromotion: true },
      runtime(),
    )
    const rejected = await reject(runtime(), 'numbers look off')
    expect(rejected).toMatchObject({
      outcome: 'aborted-blue-untouched',
      error: { code: 'REJECTED', message: 'numbers look off' },
    })
    expect(fake.cluster.job(waiting.greenJobId!)!.state).toBe('CANCELED')
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
  })

  it('a green that fails verification is cancelled; blue was never touched', async () => {
    const blueId = await deployV1()
    const result = await upgrade(
      { ...release('v3', ['--fail-after', '1', '--restart-attempts', '0']), strategy: 'blue-green' },
      runtime(),
    )
    expect(result.outcome).toBe('aborted-blue-untouched')
    expect(result.running, JSON.stringify([result.error, result.steps])).toMatchObject([
      { role: 'blue', jobId: blueId },
    ])
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
  })
})

describe('savepoint format', () => {
  const asyncRelease = (build: string, extra: Partial<UpgradeOptions> = {}): UpgradeOptions => ({
    ...release(build, ['--async-state']),
    ...extra,
  })
  const triggers = (blueId: string) =>
    fake.requests.filter((r) => r.method === 'POST' && r.path === `/jobs/${blueId}/stop`)

  it('is canonical by default, shown in the plan, sent to Flink and reported', async () => {
    const blueId = await deployV1()
    const dry = await upgrade({ ...release('v2'), dryRun: true }, runtime())
    expect(dry.plan[0]).toBe(`stop blue ${blueId} with a canonical savepoint`)
    const result = await upgrade({ ...release('v2'), savepointFormat: 'native' }, runtime())
    expect(result.outcome, result.summary).toBe('upgraded')
    expect(result.savepointFormat).toBe('native')
    expect(result.plan[0]).toBe(`stop blue ${blueId} with a native savepoint`)
    expect(events).toContainEqual(expect.objectContaining({ type: 'savepoint-taken', format: 'native' }))
    const savepoints = fake.cluster.job(blueId)!.checkpointHistory.filter((c) => c.isSavepoint)
    expect(savepoints.map((c) => c.format)).toEqual(['NATIVE'])
  })

  it('refuses an unknown format before touching the cluster', async () => {
    await expect(upgrade({ ...release('v2'), savepointFormat: 'full' as never }, runtime())).rejects.toThrow(
      /Invalid savepointFormat: .*"canonical"\|"native"/,
    )
    expect(fake.requests.length).toBe(0)
  })

  it('a job on async state refuses a canonical savepoint: blue restarts, the run says so, the next run is refused before touching blue, native upgrades', async () => {
    const first = await upgrade(asyncRelease('v1'), runtime())
    const blueId = first.greenJobId!
    await expect.poll(() => fake.cluster.job(blueId)?.latestCompleted).toBeTruthy()

    const refused = await upgrade(asyncRelease('v2'), runtime())
    expect(refused.outcome, refused.summary).toBe('failed-needs-attention')
    expect(refused.blueAfterSavepoint).toMatchObject({ condition: 'restarted', state: 'RUNNING' })
    expect(refused.summary).toContain('UnsupportedOperationException: Not supported yet')
    expect(refused.recovery).toContain('--savepoint-format native')
    expect(refused.running).toMatchObject([
      { role: 'blue', jobId: blueId, state: 'RUNNING', cluster: fake.url, subtasksRunning: true },
    ])
    expect(events).toContainEqual(expect.objectContaining({ type: 'blue-settled' }))

    const again = await upgrade(asyncRelease('v2'), runtime())
    expect(again.outcome, again.summary).toBe('aborted-blue-untouched')
    expect(again.error).toMatchObject({ step: 'preflight', code: 'PREFLIGHT_FAILED' })
    expect(again.error?.message).toContain('Use savepoint format native')
    expect(triggers(blueId)).toHaveLength(1)

    const native = await upgrade(asyncRelease('v2', { savepointFormat: 'native' }), runtime())
    expect(native.outcome, native.summary).toBe('upgraded')
    expect(fake.cluster.job(native.greenJobId!)!.stateCount()).toBeGreaterThanOrEqual(
      fake.cluster.job(blueId)!.stateCount(),
    )
  })

  it('refuses canonical when blue runs on ForSt, which writes only native savepoints up to Flink 2.3', async () => {
    const first = await upgrade(
      { ...release('v1'), flinkConfiguration: { 'state.backend.type': 'forst' } },
      runtime(),
    )
    await expect.poll(() => fake.cluster.job(first.greenJobId!)?.latestCompleted).toBeTruthy()
    const refused = await upgrade(release('v2'), runtime())
    expect(refused.outcome).toBe('aborted-blue-untouched')
    expect(refused.error).toMatchObject({ step: 'preflight', code: 'PREFLIGHT_FAILED' })
    expect(refused.error?.message).toBe(
      'Blue runs on ForStStateBackend, which writes only native savepoints in Flink 2.3.0: a canonical savepoint would fail and cost blue a restart. Use savepoint format native.',
    )
    expect(fake.cluster.job(first.greenJobId!)!.checkpointHistory.some((c) => c.isSavepoint)).toBe(false)
    const native = await upgrade({ ...release('v2'), savepointFormat: 'native', dryRun: true }, runtime())
    expect(native.outcome).toBe('dry-run')
    expect(native.warnings).toEqual([])
  })

  it('only warns about ForSt on later versions, where canonical support may come', async () => {
    await client.close()
    await fake.stop()
    fake = await startFakeFlink({ version: '2.4.0', timing: { programSecondMs: 20 } })
    client = createFlinkClient({ baseUrl: fake.url })
    const first = await upgrade(
      { ...release('v1'), flinkConfiguration: { 'state.backend.type': 'forst' } },
      runtime(),
    )
    await expect.poll(() => fake.cluster.job(first.greenJobId!)?.latestCompleted).toBeTruthy()
    const dry = await upgrade({ ...release('v2'), dryRun: true }, runtime())
    expect(dry.outcome).toBe('dry-run')
    expect(dry.warnings).toEqual([
      expect.stringMatching(
        /^blue runs on ForStStateBackend: canonical savepoints of its async state may be refused/,
      ),
    ])
  })
})

describe('a release that does not start', () => {
  it("names the program's own exception, on a first deployment and on an upgrade", async () => {
    const first = await upgrade(release('v1', ['--release', 'v3']), runtime())
    expect(first.outcome).toBe('aborted-blue-untouched')
    expect(first.error).toMatchObject({
      step: 'startingGreen',
      code: 'RELEASE_START_FAILED',
      message: expect.stringMatching(
        /did not start: java\.lang\.IllegalArgumentException: --release must be v1 or v2, got: v3$/,
      ),
    })
    expect(first.summary).toContain('--release must be v1 or v2, got: v3')
    expect(first.summary).not.toContain('\tat ')
    expect(first.error?.flinkAnswer).toContain(
      'Caused by: java.lang.IllegalArgumentException: --release must be v1 or v2, got: v3',
    )

    await deployV1()
    const second = await upgrade(release('v2', ['--release', 'v3']), runtime())
    expect(second.outcome).toBe('aborted-blue-untouched')
    expect(second.error).toMatchObject({ step: 'preflight', code: 'RELEASE_START_FAILED' })
    expect(second.error?.message).toContain('--release must be v1 or v2, got: v3')
  })
})

describe("Flink's REST cache", () => {
  /** How long after its last step the run answers; the 3 s of `web.refresh-interval` must not show. */
  async function tail(options: UpgradeOptions) {
    let lastStepLeft = 0
    const result = await upgrade(options, {
      ...runtime(),
      onEvent: (e) => {
        if (e.type === 'step-left') lastStepLeft = Date.now()
      },
    })
    return { result, tailMs: Date.now() - lastStepLeft }
  }

  beforeEach(async () => {
    await client.close()
    await fake.stop()
    fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 }, restCacheMs: 3_000 })
    client = createFlinkClient({ baseUrl: fake.url })
  })

  it.each(['stop-and-restart', 'blue-green'] as const)(
    '%s: the result follows the last step at once, with the times of blue ending',
    async (strategy) => {
      const blueId = await deployV1()
      const { result, tailMs } = await tail({ ...release('v2'), strategy })
      expect(result.outcome, result.summary).toBe('upgraded')
      expect(tailMs).toBeLessThan(300)
      const blue = (await client.jobs.overview()).jobs.find((j) => j.jid === blueId)!
      expect(result.timeline.blueFinishedAt).toBe(blue['end-time'])
      if (strategy === 'stop-and-restart') expect(result.downtimeMs).toBeGreaterThanOrEqual(0)
      else expect(result.duplicateWindowMs).toBeGreaterThanOrEqual(0)
    },
  )

  it('a rollback answers at once too', async () => {
    await deployV1()
    const { result, tailMs } = await tail(release('v3', ['--fail-after', '1']))
    expect(result.outcome, result.summary).toBe('rolled-back')
    expect(tailMs).toBeLessThan(300)
  })
})
