/**
 * What an upgrade will cost, from the job's own checkpoint history, before anything is touched: the state's
 * size (its latest completed checkpoint) and how fast this job writes state (the fastest completed snapshot in
 * the history, bytes per millisecond: a savepoint's when there is one, since it writes everything, else an
 * incremental checkpoint's). A stop-and-restart is down while blue writes its savepoint and green reads it
 * back; a last-state upgrade only while green reads. Reading is assumed to go as fast as writing. A rough
 * guide, not a promise: it is not checked against measured downtimes yet.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import type { CheckpointStats } from '../client/schemas/checkpoints.ts'
import { formatBytes, formatMs } from '../units.ts'

export interface DowntimeEstimate {
  stateBytes: number
  /** The completed checkpoint the size is from. */
  checkpointId: number
  /** Writing (or reading) all of the state at the rate the history shows. */
  fullSnapshotMs: number
  /** Of the chosen mode. */
  downtimeMs: number
  mode: 'savepoint' | 'last-state'
}

export async function estimateDowntime(
  client: FlinkClient,
  input: { jobId: string; mode: 'savepoint' | 'last-state'; signal?: AbortSignal },
): Promise<DowntimeEstimate | undefined> {
  const stats = await client.checkpoints.statistics({ jobid: input.jobId, signal: input.signal })
  const latest = stats.latest.completed
  const stateBytes = latest?.state_size ?? 0
  const rate = fastestWrite(stats.history)
  if (!latest || stateBytes <= 0 || rate === undefined) return undefined
  const fullSnapshotMs = Math.round(stateBytes / rate)
  return {
    stateBytes,
    checkpointId: latest.id,
    fullSnapshotMs,
    downtimeMs: input.mode === 'last-state' ? fullSnapshotMs : 2 * fullSnapshotMs,
    mode: input.mode,
  }
}

/** Bytes per ms of the fastest completed snapshot that wrote something. */
function fastestWrite(history: CheckpointStats[]): number | undefined {
  const rates = history
    .filter((c) => c.status === 'COMPLETED' && c.end_to_end_duration > 0)
    .map((c) => (c.is_savepoint ? (c.state_size ?? 0) : (c.checkpointed_size ?? 0)) / c.end_to_end_duration)
    .filter((r) => r > 0)
  return rates.length > 0 ? Math.max(...rates) : undefined
}

/** "State 204.3 MB (checkpoint 17): estimated downtime 3.1 s (savepoint and restore)", with a faster mode named. */
export function describeEstimate(e: DowntimeEstimate): string {
  const what = e.mode === 'last-state' ? 'restore only' : 'savepoint and restore'
  const faster =
    e.mode === 'savepoint' && e.fullSnapshotMs >= 10_000
      ? `; last-state would skip the savepoint: est. ${formatMs(e.fullSnapshotMs)}`
      : ''
  return `State ${formatBytes(e.stateBytes)} (checkpoint ${e.checkpointId}): estimated downtime ${formatMs(e.downtimeMs)} (${what}, from its checkpoint history)${faster}`
}
