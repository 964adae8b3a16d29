/**
 * The savepoints flink-deploy took of a job, from the savepoint history in its release record, with what
 * protects each from pruning: the rollback target of the current release, a stored run that has not
 * finished, or not being flink-deploy's to delete.
 */

import type { ReleaseRecord, ReleaseRecordStore, TakenSavepoint } from '../store/release-record.ts'
import type { PersistedRun, StateStore } from '../store/state-store.ts'
import { type OnDisk, savepointOnDisk } from './savepoint-size.ts'

/** Why a savepoint may not be pruned whatever the rules say. */
export type Protection = 'rollback-target' | 'needed-by-run' | 'not-attributable'

export interface ListedSavepoint {
  path: string
  /** ISO time it was taken; unknown for a savepoint flink-deploy did not record taking. */
  takenAt?: string
  ageMs?: number
  /** The job it was taken of, and the run that took it. */
  jobId?: string
  runId?: string
  kind: TakenSavepoint['kind'] | 'unknown'
  /** Recorded as taken by flink-deploy and still its own (not a checkpoint, not claimed by a job). */
  attributable: boolean
  /** A rollback of the current release starts from it. */
  rollbackTarget: boolean
  /** A stored run that has not finished names it. */
  neededByRun: boolean
  /** present: recorded and, for a local one, on disk; missing: a local one not on disk; pruned: disposed of. */
  state: 'present' | 'missing' | 'pruned'
  prunedAt?: string
  /** Bytes on disk, for a local savepoint. */
  sizeBytes?: number
  /** What keeps it, when something does besides the rules. */
  protectedBy?: Protection
  /** Why it is not attributable, for messages. */
  notAttributable?: string
}

export interface SavepointInventory {
  jobName: string
  /** Where the release record was read from. */
  location: string
  /** Newest first; the rollback target of a release recorded before retention existed is included. */
  savepoints: ListedSavepoint[]
}

export interface SavepointStorage {
  state: StateStore
  releases: ReleaseRecordStore
}

export async function listSavepoints(
  storage: SavepointStorage,
  jobName: string,
  options: { now?: number } = {},
): Promise<SavepointInventory> {
  const now = options.now ?? Date.now()
  const [record, run] = await Promise.all([storage.releases.read(jobName), storage.state.read()])
  const needed = new Set(pathsOfUnfinishedRun(run))
  const rollback = rollbackTargets(record)
  const history = record?.savepoints ?? []
  const listed: ListedSavepoint[] = await Promise.all(
    history.map(async (s) => {
      const disk: OnDisk = s.prunedAt ? { state: 'unknown' } : await savepointOnDisk(s.path)
      const ownership = ownershipOf(s)
      return described({
        path: s.path,
        takenAt: s.takenAt,
        ageMs: Math.max(0, now - Date.parse(s.takenAt)),
        jobId: s.jobId,
        runId: s.runId,
        kind: s.kind,
        attributable: ownership === undefined,
        notAttributable: ownership,
        rollbackTarget: rollback(s),
        neededByRun: needed.has(s.path),
        state: s.prunedAt ? 'pruned' : disk.state === 'missing' ? 'missing' : 'present',
        prunedAt: s.prunedAt,
        sizeBytes: disk.state === 'present' ? disk.sizeBytes : undefined,
      })
    }),
  )
  // What a rollback or a run needs but the history does not hold: listed, never pruned.
  const recorded = new Set(history.map((s) => s.path))
  const unrecorded = [...(record?.savepointPath ? [record.savepointPath] : []), ...needed].filter(
    (p, i, all) => !recorded.has(p) && all.indexOf(p) === i,
  )
  for (const path of unrecorded) {
    const disk = await savepointOnDisk(path)
    listed.push(
      described({
        path,
        kind: 'unknown',
        attributable: false,
        notAttributable: 'flink-deploy has no record of taking it',
        rollbackTarget: path === record?.savepointPath,
        neededByRun: needed.has(path),
        state: disk.state === 'missing' ? 'missing' : 'present',
        sizeBytes: disk.state === 'present' ? disk.sizeBytes : undefined,
      }),
    )
  }
  listed.sort((a, b) => (b.takenAt ?? '').localeCompare(a.takenAt ?? ''))
  return { jobName, location: storage.releases.location, savepoints: listed }
}

function described(s: Omit<ListedSavepoint, 'protectedBy'>): ListedSavepoint {
  const protectedBy: Protection | undefined = s.rollbackTarget
    ? 'rollback-target'
    : s.neededByRun
      ? 'needed-by-run'
      : s.attributable
        ? undefined
        : 'not-attributable'
  return protectedBy && s.state !== 'pruned' ? { ...s, protectedBy } : s
}

/** Why flink-deploy may not delete a savepoint it recorded, or undefined when it may. */
function ownershipOf(s: TakenSavepoint): string | undefined {
  if (s.kind === 'checkpoint') return "a retained checkpoint: Flink's checkpoint retention owns it"
  if (s.claimed) return 'a job restored from it in CLAIM mode: Flink owns it'
  return undefined
}

/**
 * The savepoints of the run that made the current release (blue-green takes two: the one green started
 * from and the one blue stopped with), and the one it restored from for records without that run.
 */
function rollbackTargets(record: ReleaseRecord | undefined): (s: TakenSavepoint) => boolean {
  if (!record) return () => false
  return (s) => s.path === record.savepointPath || (record.runId !== undefined && s.runId === record.runId)
}

/** The savepoints a stored run that has not finished may still start a job from. */
function pathsOfUnfinishedRun(run: PersistedRun | undefined): string[] {
  const snapshot = run?.snapshot as
    | {
        status?: string
        context?: {
          savepoint?: { location?: string }
          finalSavepoint?: { location?: string }
          options?: { initialSavepoint?: string }
        }
      }
    | undefined
  if (!snapshot || snapshot.status === 'done') return []
  const c = snapshot.context
  return [c?.savepoint?.location, c?.finalSavepoint?.location, c?.options?.initialSavepoint].filter(
    (p): p is string => typeof p === 'string',
  )
}
