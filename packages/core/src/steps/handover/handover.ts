/**
 * The side effects of the exactly-once hand-over (packages/flink-gate's protocol, steps 1–4): read both jobs'
 * gates, wait until blue has taken T, wait until blue's watermark passed T. Each observes and reports; the
 * blue-green machine decides what follows (its guards), so the runbook stays readable in one place.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient } from '../../client/flink-client.ts'
import { HandoverGreenEndedError, HandoverRefusedError, HandoverStalledError } from '../../errors.ts'
import { isTerminal } from '../cancel-job.ts'
import { type GateSubtask, gateVertex, hasWatermarks, lowestWatermark, readGate } from './gate-metrics.ts'

/** How often the gates are read while waiting: they re-read the object every 500 ms by default. */
export const GATE_POLL_MS = 250

interface Wait {
  deadline: number
  signal: AbortSignal
  pollMs?: number
}

/**
 * Before blue is touched: blue's gate reports, with event-time watermarks, and is a blue gate (one that passes
 * records before T). Metrics appear a few seconds after a job starts (Flink's metric fetcher), so an absent
 * answer is asked again until the deadline.
 */
export async function requireBlueGate(
  client: FlinkClient,
  blueJobId: string,
  wait: Wait,
): Promise<GateSubtask[]> {
  const noGate = () =>
    new HandoverRefusedError(
      'no-gate',
      `Hand-over refused for blue ${blueJobId}: it has no hand-over gate (no handover-gate operator reporting handover.* metrics). ` +
        'Put the flink-deploy-gate library in front of its sinks (HandoverGate.before) and deploy it with handover gate first, or use handover none',
    )
  // The plan is definite; the metrics of a gate it has may still be on their way.
  if (!gateVertex(await client.jobs.get({ jobid: blueJobId, signal: wait.signal }))) throw noGate()
  let gates: GateSubtask[] | undefined
  for (;;) {
    gates = await readGate(client, blueJobId, wait.signal)
    if (gates && hasWatermarks(gates)) break
    if (Date.now() >= wait.deadline) break
    await sleep(wait.pollMs ?? GATE_POLL_MS, undefined, { signal: wait.signal })
  }
  if (!gates) throw noGate()
  if (!hasWatermarks(gates))
    throw new HandoverRefusedError(
      'no-watermarks',
      `Hand-over refused for blue ${blueJobId}: its gate has no event-time watermark (subtasks ${gates
        .filter((g) => !hasWatermarks([g]))
        .map((g) => g.subtask)
        .join(
          ', ',
        )}); the cutover is an event time, so the job needs timestamps and watermarks at its sources`,
    )
  const green = gates.filter((g) => g.colour !== 'blue')
  if (green.length > 0)
    throw new HandoverRefusedError(
      'gate-colour',
      `Hand-over refused for blue ${blueJobId}: its gate runs as ${green[0]!.colour} (it was green of an earlier hand-over). ` +
        'The gate library hands over only from a blue-coloured gate: deploy it with stop-and-restart once (it then runs as blue)',
    )
  return gates
}

/**
 * Protocol step 1's T: later than every event time blue let through and green dropped, and than both jobs'
 * watermarks, plus a margin for the gates' poll interval and the metrics' lag.
 */
export function chooseCutover(
  blue: readonly GateSubtask[],
  green: readonly GateSubtask[],
  marginMs: number,
): number {
  const seen = [
    ...blue.map((g) => g.maxPassedMillis),
    ...green.map((g) => g.maxDroppedMillis),
    ...[...blue, ...green].map((g) => g.watermark),
  ].filter((t) => Number.isFinite(t))
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
    const taken = gates.blue.filter((g) => g.cutoverSeen && g.cutoverMillis === input.cutoverMillis)
    const late = [...gates.blue, ...gates.green].some((g) => g.cutoverLate)
    if (late && taken.length === 0) return { outcome: 'late', gates }
    if (taken.length === gates.blue.length)
      return { outcome: 'seen', late: gates.blue.filter((g) => g.cutoverLate).map((g) => g.subtask) }
    await pause(wait, `blue's gate to take T = ${input.cutoverMillis}`)
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
