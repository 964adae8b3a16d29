/**
 * Disposes of the savepoints the rules select, through Flink (`POST /savepoint-disposal`, so the cluster's
 * own file system and credentials delete them), and records each disposal in the job's savepoint history
 * as soon as Flink confirms it. Hold the job's lock while pruning: `storage.lock` is taken when given.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import { innermostCause } from '../client/java-stacktrace.ts'
import { FlinkOperationFailedError } from '../errors.ts'
import type { RunStorage } from '../store/run-storage.ts'
import { type ListedSavepoint, listSavepoints, type SavepointStorage } from './savepoint-list.ts'
import { checkRules, type RetentionRules, type Selection, selectForPruning } from './select.ts'

export interface PruneOptions extends RetentionRules {
  jobName: string
  /** Select and report; dispose of nothing and write nothing. */
  dryRun?: boolean
  /** Deadline of each disposal (default 2 min). */
  timeoutMs?: number
  signal?: AbortSignal
  now?: number
}

export interface PruneResult extends Selection {
  jobName: string
  dryRun: boolean
  /** Disposed of and recorded (empty on a dry run, where `prune` is what would go). */
  disposed: ListedSavepoint[]
  failed: { savepoint: ListedSavepoint; error: string }[]
}

/** Flink's answer when the path is already gone: the savepoint no longer needs disposing of. */
const GONE = /Cannot find checkpoint or savepoint file\/directory/

export async function pruneSavepoints(
  client: FlinkClient,
  storage: SavepointStorage & { lock?: RunStorage['lock'] },
  options: PruneOptions,
): Promise<PruneResult> {
  checkRules(options)
  const dryRun = options.dryRun ?? false
  const lock = dryRun ? undefined : await storage.lock?.()
  try {
    const inventory = await listSavepoints(storage, options.jobName, { now: options.now })
    const selection = selectForPruning(inventory.savepoints, options)
    const result: PruneResult = { jobName: options.jobName, dryRun, ...selection, disposed: [], failed: [] }
    if (dryRun) return result
    for (const savepoint of selection.prune) {
      options.signal?.throwIfAborted()
      try {
        await dispose(client, savepoint.path, options)
      } catch (error) {
        result.failed.push({ savepoint, error: error instanceof Error ? error.message : String(error) })
        continue
      }
      const prunedAt = new Date().toISOString()
      await recordPruned(storage, options.jobName, savepoint.path, prunedAt)
      result.disposed.push({ ...savepoint, state: 'pruned', prunedAt, sizeBytes: undefined })
    }
    return result
  } finally {
    await lock?.release()
  }
}

async function dispose(client: FlinkClient, path: string, options: PruneOptions): Promise<void> {
  try {
    await client.operations.disposeSavepoint(path, {
      timeoutMs: options.timeoutMs ?? 120_000,
      signal: options.signal,
    })
  } catch (error) {
    if (
      error instanceof FlinkOperationFailedError &&
      GONE.test(innermostCause(error.stackTrace) ?? error.javaMessage)
    )
      return
    throw error
  }
}

/** The one place a disposal is recorded: the entry of the job's savepoint history. */
async function recordPruned(
  storage: SavepointStorage,
  jobName: string,
  path: string,
  prunedAt: string,
): Promise<void> {
  const record = await storage.releases.read(jobName)
  if (!record?.savepoints) return
  await storage.releases.write({
    ...record,
    savepoints: record.savepoints.map((s) => (s.path === path ? { ...s, prunedAt } : s)),
  })
}
