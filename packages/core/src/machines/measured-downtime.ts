/**
 * The downtime an upgrade measured, for its result and, beside the plan's estimate, for the job's release
 * record: the next plan corrects its model by it (preflight/downtime-estimate.ts).
 */
import type { FlinkClient } from '../client/flink-client.ts'
import type { Clusters } from '../cross-cluster/clusters.ts'
import { terminalAt } from '../steps/terminal-at.ts'
import { MEASURED_DOWNTIMES_KEPT, type MeasuredDowntime } from '../store/release-record.ts'
import type { UpgradeContext } from './upgrade-context.ts'

/** Flink's time of blue's end (stopped with the savepoint, cancelled for the checkpoint fallback, or failed), if it ended. */
export async function blueEndedAt(context: UpgradeContext, client: FlinkClient): Promise<number | undefined> {
  const blue = context.facts?.blue?.jobId
  const stopped =
    context.strategy === 'blue-green' ? context.finalSavepoint?.location : context.savepoint?.location
  if (!blue || !stopped) return undefined
  return terminalAt(client, blue, ['FINISHED', 'CANCELED', 'FAILED'], { timeoutMs: 10_000 })
}

/** A stop-and-restart's downtime: blue ended → every subtask of green RUNNING, by Flink's clock. */
export function stopAndRestartDowntime(context: UpgradeContext, blueEnded: number | undefined) {
  return blueEnded && context.greenRunningAt && context.strategy === 'stop-and-restart'
    ? Math.max(0, context.greenRunningAt - blueEnded)
    : undefined
}

/**
 * The record's downtimes with this upgrade's appended, when the plan estimated it and it measured one. Not when
 * it restored otherwise than planned (blue failed and its checkpoint was used instead of a savepoint): then
 * blue ended long before the restore, and the time says nothing of the cluster's speed.
 */
export async function withMeasuredDowntime(
  kept: MeasuredDowntime[] | undefined,
  context: UpgradeContext,
  clusters: Clusters,
): Promise<MeasuredDowntime[] | undefined> {
  const estimate = context.facts?.estimate
  if (context.strategy !== 'stop-and-restart' || !estimate) return kept
  const planned = estimate.mode === 'last-state' ? 'checkpoint' : 'savepoint'
  if (context.savepoint?.kind !== planned) return kept
  const measuredMs = stopAndRestartDowntime(context, await blueEndedAt(context, clusters.blue))
  if (measuredMs === undefined) return kept
  const { mode, format, stateBytes, modelDowntimeMs } = estimate
  const entry = {
    at: new Date().toISOString(),
    flinkUrl: clusters.green.url,
    mode,
    format,
    stateBytes,
    modelMs: modelDowntimeMs,
    measuredMs,
  }
  return [...(kept ?? []), entry].slice(-MEASURED_DOWNTIMES_KEPT)
}
