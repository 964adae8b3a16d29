/**
 * The side effects of the exactly-once hand-over (packages/flink-gate's protocol, steps 1–4): read both jobs'
 * gates, wait until blue has taken T, wait until blue's watermark passed T. Each observes and reports; the
 * blue-green machine decides what follows (its guards), so the runbook stays readable in one place.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient } from '../../client/flink-client.ts'
import {
  HandoverGreenEndedError,
  type HandoverRefusal,
  HandoverRefusedError,
  HandoverStalledError,
} from '../../errors.ts'
import { isTerminal } from '../cancel-job.ts'
import type { GateColour } from './gate-config.ts'
import { type GateSubtask, gateVertex, hasWatermarks, lowestWatermark, readGate } from './gate-metrics.ts'

/** How often the gates are read while waiting: they re-read the object every 500 ms by default. */
export const GATE_POLL_MS = 250

interface Wait {
  deadline: number
  signal: AbortSignal
  pollMs?: number
}

/** What blue's gate says about the hand-over to come. */
export interface BlueGate {
  /** The colour blue runs as: the colour that hands over (the object's `from`); green gets the other. */
  colour: GateColour
  /**
   * `old`: blue passes everything (its first hand-over, or the object already names it as handing over).
   * `new`: blue took over in an earlier hand-over and the object still holds that T: it must name blue as the
   * colour that hands over before green starts, or green's gate would not stand by.
   */
  role: 'old' | 'new'
}

/**
 * Before blue is touched: blue's gate reports, its inputs are not idle, it has event-time watermarks, a colour,
 * and no hand-over in the middle. Metrics appear a few seconds after a job starts (Flink's metric fetcher), so
 * an absent answer is asked again until the deadline.
 */
export async function requireBlueGate(client: FlinkClient, blueJobId: string, wait: Wait): Promise<BlueGate> {
  const refuse = (reason: HandoverRefusal, why: string) =>
    new HandoverRefusedError(reason, `Hand-over refused for blue ${blueJobId}: ${why}`)
  const noGate = () =>
    refuse(
      'no-gate',
      'it has no hand-over gate (no handover-gate operator reporting handover.* metrics). ' +
        'Put the flink-deploy-gate library in front of its sinks (HandoverGate.before) and deploy it with handover gate first, or use handover none',
    )
  // The plan is definite; the metrics of a gate it has may still be on their way.
  if (!gateVertex(await client.jobs.get({ jobid: blueJobId, signal: wait.signal }))) throw noGate()
  let gates: GateSubtask[] | undefined
  for (;;) {
    gates = await readGate(client, blueJobId, wait.signal)
    // An idle input has no watermark to wait for: it is the answer.
    if (gates && (hasWatermarks(gates) || gates.some((g) => g.inputIdle))) break
    if (Date.now() >= wait.deadline) break
    await sleep(wait.pollMs ?? GATE_POLL_MS, undefined, { signal: wait.signal })
  }
  if (!gates) throw noGate()
  const subtasks = (some: readonly GateSubtask[]) =>
    `subtask${some.length > 1 ? 's' : ''} ${some.map((g) => g.subtask).join(', ')}`
  // Idle: marked so by Flink (watermark status IDLE, e.g. withIdleness), or without a watermark while other
  // subtasks have one (seen on Flink 2.3: a Kafka source subtask without a partition, no withIdleness, is not
  // marked idle; it never emits a watermark). Either way the subtask's watermark never reaches T.
  const watermarked = gates.some((g) => hasWatermarks([g]))
  const idle = gates.filter((g) => g.inputIdle || (watermarked && !hasWatermarks([g])))
  if (idle.length > 0)
    throw refuse(
      'idle-source',
      `the input of its gate ${subtasks(idle)} of ${gates.length} is idle (no records and no watermarks reach ${idle.length > 1 ? 'them' : 'it'}: watermark status IDLE, or no watermark while the other subtasks have one; e.g. a source subtask without a split or partition, or a split marked idle by withIdleness). ` +
        "An idle subtask's watermark stands still, so blue could never be seen past T there, and records it gets later may be older than T once blue has stopped (green drops them). " +
        'Hand over once every source subtask has input (records in every partition, or no more source subtasks than partitions), or use stop-and-restart',
    )
  if (!hasWatermarks(gates))
    throw refuse(
      'no-watermarks',
      `its gate has no event-time watermark (${subtasks(gates.filter((g) => !hasWatermarks([g])))}); the cutover is an event time, so the job needs timestamps and watermarks at its sources`,
    )
  const colours = [...new Set(gates.map((g) => g.colour))]
  const colour = colours[0]
  if (colours.length !== 1 || (colour !== 'blue' && colour !== 'green'))
    throw refuse(
      'gate-colour',
      `its gate reports the colour ${colours.join(' and ')}, not blue or green on every subtask: the next release's colour is the other one of blue's`,
    )
  // A library older than repeatable hand-overs reports no role: its blue always hands over, its green never does.
  const roleOf = (g: GateSubtask) => g.role ?? (colour === 'blue' ? 'old' : undefined)
  if (gates.some((g) => roleOf(g) === undefined))
    throw refuse(
      'gate-colour',
      'its gate runs as green with a flink-deploy-gate library that takes its role from its colour (no role metric), so it cannot hand over. ' +
        'Rebuild the job with the current library and deploy it once with stop-and-restart',
    )
  const unfinished = gates.filter(
    (g) =>
      !(roleOf(g) === 'old' && g.state === 'passing') &&
      !(roleOf(g) === 'new' && g.state === 'green-passing'),
  )
  if (unfinished.length > 0)
    throw refuse(
      'gate-state',
      `its gate ${subtasks(unfinished)} ${unfinished.length > 1 ? 'are' : 'is'} ${unfinished[0]!.state}${unfinished[0]!.cutoverMillis === undefined ? '' : ` with T = ${unfinished[0]!.cutoverMillis}`}, ` +
        'not passing everything: an earlier hand-over has not finished (resume it, or see its needs-attention report), or the job writes nothing',
    )
  return { colour, role: gates.some((g) => roleOf(g) === 'new') ? 'new' : 'old' }
}

/**
 * Protocol step 1's T: later than every event time either job's gate decided (blue let through and green dropped,
 * and, after an earlier hand-over, what blue dropped before its last T), and than both jobs' watermarks, plus a
 * margin for the gates' poll interval and the metrics' lag.
 */
export function chooseCutover(
  blue: readonly GateSubtask[],
  green: readonly GateSubtask[],
  marginMs: number,
): number {
  const seen = [...blue, ...green]
    .flatMap((g) => [g.maxPassedMillis, g.maxDroppedMillis, g.watermark])
    .filter((t) => Number.isFinite(t))
  return Math.max(0, ...seen) + marginMs
}

export interface BothGates {
  blue: GateSubtask[]
  green: GateSubtask[]
}

/** Both jobs' gates now; a job without a gate here is an error (green, or a blue that changed since preflight). */
export async function readBothGates(
  clients: { blue: FlinkClient; green: FlinkClient },
  ids: { blueJobId: string; greenJobId: string },
  signal: AbortSignal,
): Promise<BothGates> {
  const [blue, green] = await Promise.all([
    readGate(clients.blue, ids.blueJobId, signal),
    readGate(clients.green, ids.greenJobId, signal),
  ])
  if (!blue) throw new HandoverRefusedError('no-gate', `blue ${ids.blueJobId} reports no hand-over gate`)
  if (!green)
    throw new HandoverRefusedError(
      'no-gate',
      `green ${ids.greenJobId} reports no hand-over gate: the new release must carry the flink-deploy-gate library`,
    )
  return { blue, green }
}

export type CutoverTaken =
  /** Every blue subtask decides with T; `late` names those that let a record at or past T through first. */
  | { outcome: 'seen'; late: number[] }
  /** A gate met T too late while no blue subtask has taken it: a later T still splits exactly. */
  | { outcome: 'late'; gates: BothGates }

/** Protocol step 2: until every blue gate subtask decides with T, or a gate reports T came too late for it. */
export async function awaitCutoverTaken(
  clients: { blue: FlinkClient; green: FlinkClient },
  input: { blueJobId: string; greenJobId: string; cutoverMillis: number },
  wait: Wait,
): Promise<CutoverTaken> {
  for (;;) {
    const gates = await gatesAfterCutover(clients, input, wait.signal)
    if (!gates) {
      await pause(wait, `both gates to report T = ${input.cutoverMillis}`)
      continue
    }
    // A blue subtask still on the object of an earlier hand-over (role new) has not taken this T.
    const taken = gates.blue.filter(
      (g) => g.cutoverSeen && g.cutoverMillis === input.cutoverMillis && g.role !== 'new',
    )
    // cutoverLate speaks of the T a gate holds: one still on an earlier T says nothing about this one.
    const late = [...gates.blue, ...gates.green].some(
      (g) => g.cutoverLate && g.cutoverMillis === input.cutoverMillis,
    )
    if (late && taken.length === 0) return { outcome: 'late', gates }
    if (taken.length === gates.blue.length)
      return { outcome: 'seen', late: gates.blue.filter((g) => g.cutoverLate).map((g) => g.subtask) }
    await pause(wait, `blue's gate to take T = ${input.cutoverMillis}`)
  }
}

/**
 * Protocol step 0's proof: every gate subtask of the job adopted the object version this run wrote, so it reads
 * the object where the tool writes it. Without it a gate that cannot reach the object (a `file:` path on another
 * host, a bucket its cluster has no credentials for) would go on deciding as if nothing were published, and the
 * records at or past T that blue then drops would be dropped by green too.
 */
export async function awaitObjectRead(
  client: FlinkClient,
  input: { jobId: string; role: 'blue' | 'green'; path: string; version: number },
  wait: Wait,
): Promise<void> {
  for (;;) {
    const gates = await readGate(client, input.jobId, wait.signal)
    const unread = gates?.filter((g) => g.version !== input.version) ?? []
    if (gates && unread.length === 0) return
    if (Date.now() >= wait.deadline) {
      const failures = unread.reduce((n, g) => n + (Number.isFinite(g.readFailures) ? g.readFailures : 0), 0)
      throw new HandoverRefusedError(
        'object-unread',
        `Hand-over refused: ${input.role} ${input.jobId}'s gate ${
          gates
            ? `subtask${unread.length > 1 ? 's' : ''} ${unread.map((g) => g.subtask).join(', ')} did not read`
            : 'reported no metrics while it should read'
        } the hand-over object ${input.path} (version ${input.version}) in time${
          failures > 0 ? ` (${failures} failed reads)` : ''
        }. The gates read it through Flink's FileSystem on the TaskManagers: put it where every TaskManager of both jobs reads it (a --state-store bucket both clusters reach, or --handover-path)`,
      )
    }
    await sleep(wait.pollMs ?? GATE_POLL_MS, undefined, { signal: wait.signal })
  }
}

/** Protocol step 4's condition: blue's watermark reached T on every gate subtask; returns that watermark. */
export async function awaitBluePastCutover(
  clients: { blue: FlinkClient; green: FlinkClient },
  input: { blueJobId: string; greenJobId: string; cutoverMillis: number },
  wait: Wait,
): Promise<{ watermark: number }> {
  for (;;) {
    const gates = (await gatesAfterCutover(clients, input, wait.signal))?.blue
    if (!gates) {
      await pause(wait, `blue's gate to report its watermark past T = ${input.cutoverMillis}`)
      continue
    }
    const watermark = lowestWatermark(gates)
    if (watermark >= input.cutoverMillis) return { watermark }
    await pause(wait, `blue's watermark to reach T = ${input.cutoverMillis} (at ${watermark})`)
  }
}

/**
 * Both gates once T is out, or undefined while one's metrics are missing (a restarting job has none). A green
 * that ended is reported at once: from here the way is forward, and only with green running.
 */
async function gatesAfterCutover(
  clients: { blue: FlinkClient; green: FlinkClient },
  input: { blueJobId: string; greenJobId: string; cutoverMillis: number },
  signal: AbortSignal,
): Promise<BothGates | undefined> {
  const { status } = await clients.green.jobs.status({ jobid: input.greenJobId, signal })
  if (isTerminal(status)) throw new HandoverGreenEndedError(input.greenJobId, status, input.cutoverMillis)
  const [blue, green] = await Promise.all([
    readGate(clients.blue, input.blueJobId, signal),
    readGate(clients.green, input.greenJobId, signal),
  ])
  return blue && green ? { blue, green } : undefined
}

async function pause(wait: Wait, what: string): Promise<void> {
  if (Date.now() >= wait.deadline) throw new HandoverStalledError(what)
  await sleep(wait.pollMs ?? GATE_POLL_MS, undefined, { signal: wait.signal })
}
