/**
 * The exactly-once hand-over (handover gate) against the fake Flink, whose gate follows the library's rule and
 * adoption: the protocol's order, the refusals before blue is touched, a T re-picked when a gate took it too
 * late, a green failing before T, and a run killed after each hand-over step and resumed.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { createFlinkClient } from '../client/flink-client.ts'
import type { UpgradeEmitted } from '../machines/upgrade-setup.ts'
import { formatResult } from '../report/format.ts'
import { createMemoryStateStore } from '../store/file-state-store.ts'
import type { HandoverObject } from '../store/handover-object.ts'
import { createMemoryReleaseRecords } from '../store/release-record.ts'
import { crashingStore, recordingStore } from '../testing/crashing-store.ts'
import { startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from './options.ts'
import { promote, resume, upgrade } from './run-upgrade.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-handover-'))
function jar(build: string): string {
  const path = join(dir, `orders-${build}.jar`)
  writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return path
}
let objects = 0
const newObjectPath = () => join(dir, `handover-${++objects}.json`)

const options = (
  build: string,
  handoverPath: string,
  extra: Partial<UpgradeOptions> = {},
): UpgradeOptions => ({
  jobName: 'orders',
  jar: jar(build),
  args: ['--name', 'orders', '--release', build],
  strategy: 'blue-green',
  handover: 'gate',
  handoverPath,
  handoverMarginMs: 300,
  verify: { checkpoints: 1, stabilisationMs: 100, timeoutMs: 5_000 },
  ...extra,
})

/** Blue deployed by flink-deploy with the gate (a first release runs as blue), or without it. */
async function setUp(blueGate = true) {
  const fake = await startFakeFlink({ version: '2.3.0' })
  const client = createFlinkClient({ baseUrl: fake.url })
  const releases = createMemoryReleaseRecords()
  const path = newObjectPath()
  const first = await upgrade(
    blueGate ? options('v1', path) : { ...options('v1', path), handover: 'none', handoverPath: undefined },
    { client, releases },
  )
  expect(first.outcome, first.summary).toBe('upgraded')
  const blue = fake.cluster.job(first.greenJobId!)!
  await until(() => blue.stateCount() > 20)
  const stop = async () => {
    await client.close()
    await fake.stop()
  }
  return { fake, client, releases, path, blue, stop }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const readObject = (path: string): HandoverObject => JSON.parse(readFileSync(path, 'utf8'))
const handoverEvents = (events: UpgradeEmitted[]) => events.flatMap((e) => (e.type === 'handover' ? [e] : []))

describe('hand-over (handover gate) on the fake Flink', () => {
  it('follows the protocol: standby green verified, T published, blue takes T, green passes, blue past T, blue stopped', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      expect(blue.gate?.colour).toBe('blue')
      expect(blue.flinkConfiguration['flink-deploy.handover.path']).toBe(`file://${path}`)
      const events: UpgradeEmitted[] = []
      // What blue's gate reported at each write of the object, and what the object said.
      const writes: { object: HandoverObject; blueSeen: string; blueState: string }[] = []
      const result = await upgrade(options('v2', path), {
        client,
        releases,
        onEvent: (e) => {
          events.push(e)
          if (e.type === 'handover' && existsSync(path)) {
            const metrics = blue.gate!.metrics()
            writes.push({
              object: readObject(path),
              blueSeen: metrics['handover-gate.handover.cutoverSeen']!,
              blueState: blue.state,
            })
          }
        },
      })
      expect(result.outcome, result.summary).toBe('upgraded')
      const phases = handoverEvents(events).map((e) => e.phase)
      expect(phases).toEqual([
        'cutover-chosen',
        'cutover-published',
        'cutover-taken',
        'green-passing',
        'blue-past-cutover',
      ])
      const t = handoverEvents(events)[0]!.cutoverMillis!
      expect(handoverEvents(events).every((e) => e.cutoverMillis === t)).toBe(true)
      // greenPasses is written only once blue's gate took T; blue runs until its watermark reached T
      expect(readObject(path)).toEqual({
        version: expect.any(Number),
        from: 'blue',
        cutoverMillis: t,
        greenPasses: true,
      })
      const green = fake.cluster.job(result.greenJobId!)!
      expect(green.gate?.colour).toBe('green')
      expect(green.allowNonRestoredState).toBe(true)
      expect(writes.find((w) => w.object.greenPasses)?.blueSeen).toBe('1')
      const past = handoverEvents(events).find((e) => e.phase === 'blue-past-cutover')!
      expect(past.at).toBeGreaterThanOrEqual(t)
      expect(blue.state).toBe('FINISHED')
      const steps = events.flatMap((e) => (e.type === 'step-entered' ? [e.step] : []))
      expect(steps.slice(steps.indexOf('verifyingGreen'))).toEqual([
        'verifyingGreen',
        'confirmingGreenReads',
        'choosingCutover',
        'publishingCutover',
        'awaitingCutoverTaken',
        'lettingGreenPass',
        'awaitingBluePastCutover',
        'stoppingBlue',
        'recordingRelease',
      ])
      expect((await releases.read('orders'))?.flinkConfiguration?.['flink-deploy.handover.colour']).toBe(
        'green',
      )
      expect(formatResult(result)).toMatch(new RegExp(`hand-over +blue-past-cutover, T = ${t} `))
    } finally {
      await stop()
    }
  })

  it('with manual promotion: green waits in standby, promote hands over', async () => {
    const { client, releases, path, blue, stop } = await setUp()
    try {
      const store = createMemoryStateStore()
      const waiting = await upgrade(options('v2', path, { manualPromotion: true }), {
        client,
        releases,
        store,
      })
      expect(waiting.outcome).toBe('awaiting-promotion')
      expect(waiting.handover?.phase).toBe('standby')
      expect(readObject(path)).toEqual({ version: waiting.handover?.version, from: 'blue' })
      expect(blue.state).toBe('RUNNING')
      const promoted = await promote({ client, releases, store })
      expect(promoted.outcome, promoted.summary).toBe('upgraded')
      expect(promoted.handover?.phase).toBe('blue-past-cutover')
      expect(readObject(path)).toMatchObject({ greenPasses: true })
      expect(blue.state).toBe('FINISHED')
    } finally {
      await stop()
    }
  })

  it('refuses, before blue is touched, a blue without a gate', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp(false)
    try {
      const result = await upgrade(options('v2', path), { client, releases })
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'HANDOVER_REFUSED' })
      expect(result.error?.message).toContain('no hand-over gate')
      expect(fake.cluster.jobs().map((j) => j.id)).toEqual([blue.id])
      expect(fake.cluster.snapshots().filter((s) => s.isSavepoint)).toEqual([])
      expect(existsSync(path)).toBe(false)
    } finally {
      await stop()
    }
  })

  it('refuses, before blue is touched, a blue whose gate has no event-time watermarks', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      blue.gate!.watermarks = false
      const result = await upgrade(options('v2', path), { client, releases })
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'HANDOVER_REFUSED' })
      expect(result.error?.message).toContain('no event-time watermark')
      expect(fake.cluster.jobs().map((j) => j.id)).toEqual([blue.id])
    } finally {
      await stop()
    }
  }, 15_000)

  it('refuses, before blue is touched, a blue whose gate input is idle: which subtasks, what to do', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      blue.gate!.idleSubtasks = [0]
      const events: UpgradeEmitted[] = []
      const result = await upgrade(options('v2', path), {
        client,
        releases,
        onEvent: (e) => events.push(e),
      })
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'HANDOVER_REFUSED' })
      expect(result.error?.message).toMatch(/input of its gate subtask 0 of 1 is idle/)
      expect(result.error?.message).toContain('Hand over once every source subtask has input')
      // blue runs on as it was: no savepoint, no green, no object, no step past preflight
      expect(blue.state).toBe('RUNNING')
      expect(fake.cluster.jobs().map((j) => j.id)).toEqual([blue.id])
      expect(fake.cluster.snapshots().filter((s) => s.isSavepoint)).toEqual([])
      expect(existsSync(path)).toBe(false)
      expect(events.flatMap((e) => (e.type === 'step-entered' ? [e.step] : []))).toEqual(['preflight'])
    } finally {
      await stop()
    }
  })

  it('refuses as idle a blue gate subtask without a watermark while another one has it', async () => {
    const fake = await startFakeFlink({ version: '2.3.0' })
    const client = createFlinkClient({ baseUrl: fake.url })
    try {
      // a blue of parallelism 2, deployed with the gate, whose subtask 1 gets nothing
      const releases = createMemoryReleaseRecords()
      const path = newObjectPath()
      const first = await upgrade(options('v1', path, { parallelism: 2 }), { client, releases })
      expect(first.outcome, first.summary).toBe('upgraded')
      const blue = fake.cluster.job(first.greenJobId!)!
      blue.gate!.silentSubtasks = [1]
      const result = await upgrade(options('v2', path, { parallelism: 2 }), { client, releases })
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'HANDOVER_REFUSED' })
      expect(result.error?.message).toMatch(/input of its gate subtask 1 of 2 is idle/)
      expect(blue.state).toBe('RUNNING')
      expect(fake.cluster.snapshots().filter((s) => s.isSavepoint)).toEqual([])
      expect(existsSync(path)).toBe(false)
    } finally {
      await client.close()
      await fake.stop()
    }
  }, 15_000)

  it('refuses, before blue is touched, a blue whose gate is in the middle of a hand-over', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      writeFileSync(path, JSON.stringify({ version: 1, cutoverMillis: Date.now() + 60_000 }))
      const result = await upgrade(options('v2', path), { client, releases })
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'HANDOVER_REFUSED' })
      expect(result.error?.message).toMatch(/is cutover-known with T = \d+, not passing everything/)
      expect(fake.cluster.jobs().map((j) => j.id)).toEqual([blue.id])
    } finally {
      await stop()
    }
  })

  it('refuses, before blue is touched, a green-coloured blue whose gate library has no roles', async () => {
    const { fake, client, releases, path, stop } = await setUp()
    try {
      const second = await upgrade(options('v2', path), { client, releases })
      expect(second.outcome, second.summary).toBe('upgraded')
      const blue = fake.cluster.job(second.greenJobId!)!
      blue.gate!.legacy = true
      const result = await upgrade(options('v3', path, { args: ['--name', 'orders', '--release', 'v1'] }), {
        client,
        releases,
      })
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'HANDOVER_REFUSED' })
      expect(result.error?.message).toContain('takes its role from its colour')
      expect(fake.cluster.jobs().filter((j) => j.state === 'RUNNING')).toEqual([blue])
      expect(readObject(path)).toMatchObject({ from: 'blue', greenPasses: true })
    } finally {
      await stop()
    }
  })

  it('refuses handover gate without blue-green before any request', async () => {
    const { fake, client, releases, path, stop } = await setUp()
    try {
      const before = fake.requests.length
      await expect(
        upgrade(options('v2', path, { strategy: 'stop-and-restart' }), { client, releases }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'handover' })
      expect(fake.requests.length).toBe(before)
    } finally {
      await stop()
    }
  })

  /** Jumps the clock past the step's deadline once the run enters `step`: a gate that never reads is given up on. */
  function skipDeadlineAt(step: string) {
    const now = Date.now.bind(Date)
    return (e: UpgradeEmitted) => {
      if (e.type === 'step-entered' && e.step === step)
        vi.spyOn(Date, 'now').mockImplementation(() => now() + 600_000)
    }
  }

  it('refuses, before blue is touched, a blue whose gate does not read the object this run wrote', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      blue.gate!.holdAdoption = true
      const result = await upgrade(options('v2', path), {
        client,
        releases,
        onEvent: skipDeadlineAt('confirmingBlueReads'),
      })
      vi.restoreAllMocks()
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'confirmingBlueReads', code: 'HANDOVER_REFUSED' })
      expect(result.error?.message).toContain(
        `blue ${blue.id}'s gate subtask 0 did not read the hand-over object`,
      )
      expect(result.error?.message).toContain('--handover-path')
      expect(fake.cluster.jobs().map((j) => j.id)).toEqual([blue.id])
      expect(fake.cluster.snapshots().filter((s) => s.isSavepoint)).toEqual([])
      expect(blue.state).toBe('RUNNING')
      expect(readObject(path)).toEqual({ version: result.handover?.version, from: 'blue' })
    } finally {
      vi.restoreAllMocks()
      await stop()
    }
  })

  it('cancels green, with nothing published, when its gate does not read the object: blue untouched', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      let greenId = ''
      const skip = skipDeadlineAt('confirmingGreenReads')
      const result = await upgrade(options('v2', path), {
        client,
        releases,
        onEvent: (e) => {
          if (e.type === 'job-submitted' && e.role === 'green') {
            greenId = e.jobId
            fake.cluster.job(e.jobId)!.gate!.holdAdoption = true
          }
          skip(e)
        },
      })
      vi.restoreAllMocks()
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'confirmingGreenReads', code: 'HANDOVER_REFUSED' })
      expect(result.error?.message).toContain(`green ${greenId}'s gate subtask 0 did not read`)
      expect(fake.cluster.job(greenId)!.state).toBe('CANCELED')
      expect(blue.state).toBe('RUNNING')
      expect(blue.gate!.metrics()['handover-gate.handover.cutoverSeen']).toBe('0')
      expect(readObject(path)).toEqual({ version: result.handover?.version, from: 'blue' })
    } finally {
      vi.restoreAllMocks()
      await stop()
    }
  })

  it('picks a later T when a gate took T too late while no blue subtask had taken it', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      const events: UpgradeEmitted[] = []
      let chosenTs = 0
      const result = await upgrade(options('v2', path), {
        client,
        releases,
        onEvent: (e) => {
          events.push(e)
          // blue has read this run's object; from here it is slow to read again
          if (e.type === 'job-submitted' && e.role === 'green') {
            blue.gate!.holdAdoption = true
            fake.cluster.job(e.jobId)!.gate!.adoptLate = true
          }
          // blue reads the object again once a second T is chosen
          if (e.type === 'handover' && e.phase === 'cutover-chosen' && ++chosenTs > 1)
            blue.gate!.holdAdoption = false
        },
      })
      expect(result.outcome, result.summary).toBe('upgraded')
      const chosen = handoverEvents(events).filter((e) => e.phase === 'cutover-chosen')
      expect(chosen).toHaveLength(2)
      const [first, second] = chosen.map((e) => e.cutoverMillis!)
      expect(second!).toBeGreaterThan(first!)
      expect(result.warnings.join('\n')).toContain('a later T is chosen')
      expect(readObject(path)).toMatchObject({ cutoverMillis: second, greenPasses: true })
      const metrics = blue.gate!.metrics()
      expect(metrics['handover-gate.handover.cutoverMillis']).toBe(String(second))
      expect(metrics['handover-gate.handover.cutoverLate']).toBe('0')
    } finally {
      await stop()
    }
  })

  it('a green that fails after T is published: a true report (needs attention, T, what to do), blue not stopped', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      let greenId = ''
      const result = await upgrade(options('v2', path), {
        client,
        releases,
        onEvent: (e) => {
          if (e.type === 'job-submitted' && e.role === 'green') {
            greenId = e.jobId
            blue.gate!.holdAdoption = true
          }
          if (e.type === 'handover' && e.phase === 'cutover-published')
            fake.cluster
              .job(greenId)!
              .failTask({ className: 'java.lang.IllegalStateException', message: 'green broke' }, false, 0)
        },
      })
      expect(result.outcome).toBe('failed-needs-attention')
      expect(result.error).toMatchObject({ step: 'awaitingCutoverTaken', code: 'HANDOVER_GREEN_ENDED' })
      expect(result.error?.message).toContain(`T = ${result.handover?.cutoverMillis}`)
      expect(result.handover?.phase).toBe('cutover-published')
      expect(blue.state).toBe('RUNNING')
      expect(readObject(path)).toEqual({
        version: result.handover?.version,
        from: 'blue',
        cutoverMillis: result.handover?.cutoverMillis,
      })
    } finally {
      await stop()
    }
  })

  it('cancels a green that fails before T: blue untouched, T never published', async () => {
    const { fake, client, releases, path, blue, stop } = await setUp()
    try {
      const result = await upgrade(
        options('v2', path, { args: ['--name', 'orders', '--release', 'v2', '--fail-after', '0.05'] }),
        { client, releases },
      )
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(readObject(path)).toEqual({ version: result.handover?.version, from: 'blue' })
      expect(blue.state).toBe('RUNNING')
      expect(blue.gate!.metrics()['handover-gate.handover.cutoverSeen']).toBe('0')
      const green = fake.cluster.jobs().find((j) => j.id !== blue.id)!
      expect(green.state).toBe('CANCELED')
    } finally {
      await stop()
    }
  })
})

describe('hand-overs repeat: colours alternate, the object names the colour that hands over', () => {
  for (const count of [2, 3]) {
    it(`${count} hand-overs in a row (v1 → … → v${count + 1}), each from the colour the last one took over with`, async () => {
      const { fake, client, releases, path, blue: first, stop } = await setUp()
      try {
        let blue = first
        const cutovers: number[] = []
        for (let i = 0; i < count; i++) {
          // the fake job knows releases v1 and v2 only; the jar is new each time
          const release = `v${i + 2}`
          const args = ['--name', 'orders', '--release', i % 2 === 0 ? 'v2' : 'v1']
          const from = blue.gate!.colour
          const to = from === 'blue' ? 'green' : 'blue'
          const events: UpgradeEmitted[] = []
          // What green's gate found when it started: the object of this hand-over, not the last one's T.
          let atGreenStart: { object?: HandoverObject; blueState: string } | undefined
          const result = await upgrade(options(release, path, { args }), {
            client,
            releases,
            onEvent: (e) => {
              events.push(e)
              if (e.type === 'job-submitted' && e.role === 'green')
                atGreenStart = {
                  ...(existsSync(path) ? { object: readObject(path) } : {}),
                  blueState: blue.gate!.metrics()['handover-gate.handover.state']!,
                }
            },
          })
          expect(result.outcome, result.summary).toBe('upgraded')
          const green = fake.cluster.job(result.greenJobId!)!
          expect(green.gate?.colour).toBe(to)
          expect(green.flinkConfiguration['flink-deploy.handover.colour']).toBe(to)
          expect(blue.state).toBe('FINISHED')
          const t = result.handover!.cutoverMillis!
          cutovers.push(t)
          expect(readObject(path)).toEqual({
            version: expect.any(Number),
            from,
            cutoverMillis: t,
            greenPasses: true,
          })
          const steps = events.flatMap((e) => (e.type === 'step-entered' ? [e.step] : []))
          // the object first names blue's colour as handing over, without T, and blue's gate read it
          expect(steps.slice(0, 4)).toEqual([
            'preflight',
            'openingHandover',
            'confirmingBlueReads',
            'savepointingBlue',
          ])
          expect(atGreenStart).toEqual({
            object: { version: expect.any(Number), from },
            blueState: 'passing',
          })
          const metrics = green.gate!.metrics()
          expect(metrics['handover-gate.handover.role']).toBe('new')
          expect(metrics['handover-gate.handover.state']).toBe('green-passing')
          expect((await releases.read('orders'))?.flinkConfiguration?.['flink-deploy.handover.colour']).toBe(
            to,
          )
          blue = green
          await until(() => blue.stateCount() > 20)
        }
        // each T later than the last: every record at or past it went to the next release, and none before it
        expect(cutovers).toEqual([...cutovers].sort((a, b) => a - b))
        expect(new Set(cutovers).size).toBe(count)
        expect(fake.cluster.jobs().filter((j) => j.state === 'RUNNING')).toEqual([blue])
      } finally {
        await stop()
      }
    }, 30_000)
  }

  it('a green that fails in the second hand-over is cancelled; blue, named as handing over, passes on', async () => {
    const { fake, client, releases, path, stop } = await setUp()
    try {
      const second = await upgrade(options('v2', path), { client, releases })
      expect(second.outcome, second.summary).toBe('upgraded')
      const blue = fake.cluster.job(second.greenJobId!)!
      await until(() => blue.stateCount() > 20)
      const result = await upgrade(
        options('v3', path, { args: ['--name', 'orders', '--release', 'v1', '--fail-after', '0.05'] }),
        { client, releases },
      )
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(blue.state).toBe('RUNNING')
      expect(readObject(path)).toEqual({ version: result.handover?.version, from: 'green' })
      blue.gate!.tick(Date.now(), true)
      expect(blue.gate!.metrics()['handover-gate.handover.state']).toBe('passing')
      expect(blue.gate!.metrics()['handover-gate.handover.role']).toBe('old')
      // and the next attempt hands over from green
      const retry = await upgrade(options('v3', path, { args: ['--name', 'orders', '--release', 'v1'] }), {
        client,
        releases,
      })
      expect(retry.outcome, retry.summary).toBe('upgraded')
      expect(fake.cluster.job(retry.greenJobId!)!.gate?.colour).toBe('blue')
      expect(readObject(path)).toMatchObject({ from: 'green', greenPasses: true })
    } finally {
      await stop()
    }
  }, 30_000)
})

describe('hand-over while moving the job to another cluster (fake 1.20 -> fake 2.3)', () => {
  it('reads each gate on its own cluster and hands over from blue on 1.20 to green on 2.3', async () => {
    const storage = new Map()
    const cluster = (version: string) =>
      startFakeFlink({ version, savepointDir: 's3://savepoints/orders', storage })
    const [from, to] = await Promise.all([cluster('1.20.5'), cluster('2.3.0')])
    const client = createFlinkClient({ baseUrl: from.url })
    const target = createFlinkClient({ baseUrl: to.url })
    try {
      const releases = createMemoryReleaseRecords()
      const path = newObjectPath()
      const first = await upgrade(options('v1', path), { client, releases })
      expect(first.outcome, first.summary).toBe('upgraded')
      const blue = from.cluster.job(first.greenJobId!)!
      await until(() => blue.stateCount() > 20)

      const result = await upgrade(options('v2', path), { client, target, releases })

      expect(result.outcome, result.summary).toBe('upgraded')
      expect(result.handover).toMatchObject({ phase: 'blue-past-cutover' })
      const green = to.cluster.job(result.greenJobId!)!
      expect(green.gate?.colour).toBe('green')
      expect(green.gate?.metrics()['handover-gate.handover.state']).toBe('green-passing')
      expect(blue.state).toBe('FINISHED')
      expect(readObject(path)).toMatchObject({
        cutoverMillis: result.handover?.cutoverMillis,
        greenPasses: true,
      })
    } finally {
      await Promise.all([client.close(), target.close()])
      await Promise.all([from.stop(), to.stop()])
    }
  })
})

const HANDOVER_STEPS = [
  'choosingCutover',
  'publishingCutover',
  'awaitingCutoverTaken',
  'lettingGreenPass',
  'awaitingBluePastCutover',
  'stoppingBlue',
]

describe('hand-over: killed after each hand-over step, resumed', async () => {
  // The first write of each step in an uninterrupted run: the process dies right after it.
  const firstWrites = await (async () => {
    const { client, releases, path, stop } = await setUp()
    try {
      const recording = recordingStore(createMemoryStateStore())
      const result = await upgrade(options('v2', path), { client, releases, store: recording })
      if (result.outcome !== 'upgraded') throw new Error(`the uninterrupted run ended ${result.outcome}`)
      return HANDOVER_STEPS.map((step) => ({ step, index: recording.states.indexOf(JSON.stringify(step)) }))
    } finally {
      await stop()
    }
  })()

  for (const { step, index } of firstWrites) {
    it(`after ${step}: resume ends like an uninterrupted run, with the T it had chosen`, async () => {
      expect(index).toBeGreaterThanOrEqual(0)
      const { fake, client, releases, path, blue, stop } = await setUp()
      try {
        const store = createMemoryStateStore()
        const dying = crashingStore(store, index + 1)
        void upgrade(options('v2', path), { client, releases, store: dying })
        await dying.crashed
        const persisted = (await store.read())!.snapshot as {
          context: { handover?: { cutoverMillis?: number } }
        }
        const chosen = persisted.context.handover?.cutoverMillis

        const result = await resume({ client, releases, store })

        expect(result.outcome, result.summary).toBe('upgraded')
        const live = fake.cluster.jobs().filter((j) => j.state === 'RUNNING')
        expect(live.map((j) => j.id)).toEqual([result.greenJobId])
        expect(blue.state).toBe('FINISHED')
        const object = readObject(path)
        expect(object.greenPasses).toBe(true)
        if (chosen !== undefined && step !== 'choosingCutover') expect(object.cutoverMillis).toBe(chosen)
        expect(result.handover).toMatchObject({
          phase: 'blue-past-cutover',
          cutoverMillis: object.cutoverMillis,
        })
      } finally {
        await stop()
      }
    })
  }
})
