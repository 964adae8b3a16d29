/**
 * Where an upgrade run keeps its state between steps: the machine snapshot and its context (blue job id,
 * trigger ids, savepoint path, green job id, absolute deadlines). Written after every transition, before the
 * next side effect, so a second process can resume where the first one died.
 */

/** What is persisted: the machine's JSON snapshot plus what is needed to check it can be resumed. */
export interface PersistedRun {
  /** Bumped when the shape of `snapshot` changes incompatibly; an unknown version is refused on resume. */
  formatVersion: 1
  /** Which machine produced the snapshot: 'stop-and-restart' | 'blue-green'. */
  machine: string
  /** The machine's own version stamp (its definition may change between releases of flink-deploy). */
  machineVersion: number
  /** Stable id of this run (also used to derive idempotency keys). */
  runId: string
  /** `actor.getPersistedSnapshot()`: JSON only. */
  snapshot: unknown
  /** ISO time of this write. */
  updatedAt: string
}

export interface StateStore {
  /** A human-readable location for messages ("file /var/lib/flink-deploy/orders.json"). */
  readonly location: string
  /** The run last written, or undefined when there is none. */
  read(): Promise<PersistedRun | undefined>
  /** Replaces the stored run atomically: a reader sees the old or the new run, never a mix. */
  write(run: PersistedRun): Promise<void>
  /** Removes the stored run (after the run finished and the caller no longer needs it). */
  clear(): Promise<void>
}
