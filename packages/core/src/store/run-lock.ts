/** The lock a run holds while it changes anything on Flink, whatever keeps it (a file, an object store). */
import type { LockHolder } from './errors.ts'

/** The lock a run holds while it changes anything on Flink. */
export interface RunLock {
  /** Where the lock is, for messages. */
  readonly location: string
  readonly holder: LockHolder
  /** Set when the lock of a run that is gone (dead process, expired lease) was taken over. */
  readonly tookOverFrom?: LockHolder
  /** Aborted, with an UpgradeLockLostError, when the lock can no longer be relied on. */
  readonly lost: AbortSignal
  /** Gives the lock up if it is still ours; harmless to call twice. */
  release(): Promise<void>
}
