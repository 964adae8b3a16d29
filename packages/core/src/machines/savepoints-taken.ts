/**
 * The savepoints a run took, as entries of the job's savepoint history (kept in its release record), so
 * `savepoints list|prune` know what flink-deploy made and what a rollback of each release needs.
 */
import type { TakenSavepoint } from '../store/release-record.ts'
import type { SavepointRecord, UpgradeContext } from './upgrade-context.ts'

export function savepointsTaken(context: UpgradeContext): TakenSavepoint[] {
  const blue = context.facts?.blue?.jobId
  const claimed = context.options.claimMode === 'CLAIM'
  const entry = (s: SavepointRecord | undefined): TakenSavepoint[] =>
    s?.location
      ? [
          {
            path: s.location,
            takenAt: new Date(s.triggeredAt).toISOString(),
            jobId: blue,
            runId: context.runId,
            kind: s.kind,
            // Green restored from the first one; blue-green's final savepoint no job restored from.
            ...(claimed && s === context.savepoint ? { claimed: true } : {}),
          },
        ]
      : []
  return [...entry(context.savepoint), ...entry(context.finalSavepoint)]
}

/** `history` with `taken` appended, each path once (a resumed run records what it took again). */
export function withTaken(
  history: readonly TakenSavepoint[] | undefined,
  taken: readonly TakenSavepoint[],
): TakenSavepoint[] {
  const known = new Set((history ?? []).map((s) => s.path))
  return [...(history ?? []), ...taken.filter((s) => !known.has(s.path))]
}
