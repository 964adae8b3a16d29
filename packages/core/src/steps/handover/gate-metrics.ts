/**
 * What each subtask of a job's hand-over gate reports (packages/flink-gate: operator `handover-gate`, metric
 * group `handover`), read over REST from the gate's vertex: `<subtask>.handover-gate.handover.<metric>`.
 */
import type { FlinkClient } from '../../client/flink-client.ts'

/**
 * Flink's Long.MIN_VALUE (a watermark before the first one, or a stream without event time) as a double: -2^63.
 * Anything at or below it is no watermark.
 */
export const NO_WATERMARK = -(2 ** 63)

export interface GateSubtask {
  subtask: number
  state: string
  colour: string
  /**
   * `old` (passes records before T: the colour the object's `from` names) or `new` (standby, then from T on);
   * undefined from a gate library older than repeatable hand-overs, whose role is its colour's.
   */
  role?: 'old' | 'new'
  /** Its input is idle (watermark status IDLE): neither records nor watermarks reach it. */
  inputIdle: boolean
  cutoverSeen: boolean
  /** The T it decides with, undefined before it knows one. */
  cutoverMillis?: number
  watermark: number
  maxPassedMillis: number
  maxDroppedMillis: number
  cutoverLate: boolean
  waiting: boolean
  /** The `version` of the object it adopted (0 before it read one). */
  version: number
  /** Failed reads of the object (it keeps the last good one). */
  readFailures: number
}

const METRICS = [
  'state',
  'colour',
  'role',
  'inputIdle',
  'cutoverSeen',
  'cutoverMillis',
  'watermark',
  'maxPassedMillis',
  'maxDroppedMillis',
  'cutoverLate',
  'waiting',
  'version',
  'readFailures',
] as const

const SCOPE = 'handover-gate.handover'

/**
 * Every gate subtask of the job, or undefined when the job has no gate: no `handover-gate` vertex, or one
 * whose subtasks report no gate metrics (not registered yet, or a job without the library).
 */
export async function readGate(
  client: FlinkClient,
  jobId: string,
  signal?: AbortSignal,
): Promise<GateSubtask[] | undefined> {
  const vertex = gateVertex(await client.jobs.get({ jobid: jobId, signal }))
  if (!vertex) return undefined
  const ids = Array.from({ length: vertex.parallelism }, (_, i) => METRICS.map((m) => `${i}.${SCOPE}.${m}`))
  const answer = await client.vertices.metrics({
    jobid: jobId,
    vertexid: vertex.id,
    query: { get: ids.flat() },
    signal,
  })
  const value = new Map(answer.map((m) => [m.id, m.value]))
  const subtasks: GateSubtask[] = []
  for (let i = 0; i < vertex.parallelism; i++) {
    const get = (m: (typeof METRICS)[number]) => value.get(`${i}.${SCOPE}.${m}`)
    const state = get('state')
    if (state === undefined) return undefined
    const number = (m: (typeof METRICS)[number]) => Number(get(m) ?? NaN)
    const cutover = number('cutoverMillis')
    const role = get('role')
    subtasks.push({
      subtask: i,
      state,
      colour: get('colour') ?? 'unknown',
      ...(role === 'old' || role === 'new' ? { role } : {}),
      inputIdle: get('inputIdle') === '1',
      cutoverSeen: get('cutoverSeen') === '1',
      ...(cutover >= 0 ? { cutoverMillis: cutover } : {}),
      watermark: number('watermark'),
      maxPassedMillis: number('maxPassedMillis'),
      maxDroppedMillis: number('maxDroppedMillis'),
      cutoverLate: get('cutoverLate') === '1',
      waiting: get('waiting') === '1',
      version: number('version'),
      readFailures: number('readFailures'),
    })
  }
  return subtasks
}

/** The vertex whose operator chain holds the gate (operator name `handover-gate`). */
export function gateVertex<V extends { name: string }>(job: { vertices: readonly V[] }): V | undefined {
  return job.vertices.find((v) => v.name.includes('handover-gate'))
}

/** The lowest watermark over the subtasks: the event time every subtask has passed. */
export function lowestWatermark(gates: readonly GateSubtask[]): number {
  return Math.min(...gates.map((g) => g.watermark))
}

/** Whether every subtask has an event-time watermark (Long.MIN_VALUE, or no number, means none). */
export function hasWatermarks(gates: readonly GateSubtask[]): boolean {
  return gates.every((g) => Number.isFinite(g.watermark) && g.watermark > NO_WATERMARK)
}
