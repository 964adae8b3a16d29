/**
 * Errors of the state store, the release records and the upgrade lock. They extend FlinkDeployError, so
 * callers branch on `code` like on every other error of @flink-deploy/core.
 */
import { FlinkDeployError } from '../errors.ts'

/** What is wrong with a state file or release record. */
export type StateFileProblem = 'not-json' | 'shape' | 'version'

/**
 * A state file (or release record) exists but cannot be used: not JSON, the wrong shape, or written by a
 * flink-deploy with a format this one does not know. The file is left as it is.
 */
export class StateFileInvalidError extends FlinkDeployError {
  readonly code = 'STATE_FILE_INVALID'
  readonly path: string
  readonly problem: StateFileProblem
  readonly detail: string

  constructor(init: { path: string; what: string; problem: StateFileProblem; detail: string }) {
    const hint =
      init.problem === 'version'
        ? 'It was written by another version of flink-deploy; use that version to resume or finish the run.'
        : 'Fix or move the file away; if a run was in progress, its savepoint path may be read from the file by hand.'
    super(`The ${init.what} ${init.path} cannot be used: ${init.detail}. ${hint}`)
    this.path = init.path
    this.problem = init.problem
    this.detail = init.detail
  }
}

/** Reading, writing or removing a state file failed in the file system (permissions, full disk...). */
export class StateStoreIoError extends FlinkDeployError {
  readonly code = 'STATE_STORE_IO'
  readonly path: string
  readonly operation: 'read' | 'write' | 'remove'
  /** The Node error code, e.g. EACCES, ENOSPC. */
  readonly reason: string

  constructor(init: { path: string; operation: 'read' | 'write' | 'remove'; cause: unknown }) {
    const reason = errnoCode(init.cause) ?? 'UNKNOWN'
    const message = init.cause instanceof Error ? init.cause.message : String(init.cause)
    super(`Could not ${init.operation} ${init.path}: ${message}`, { cause: init.cause })
    this.path = init.path
    this.operation = init.operation
    this.reason = reason
  }
}

/** Who holds an upgrade lock, as written in the lock file. */
export interface LockHolder {
  pid: number
  hostname: string
  owner: string
  /** ISO time. */
  acquiredAt: string
  /** ISO time a lease lock (shared store) expires unless its holder renews it. */
  leaseExpiresAt?: string
}

/** Another run holds the lock of this job (or the lock file cannot be read). */
export class UpgradeLockedError extends FlinkDeployError {
  readonly code = 'UPGRADE_LOCKED'
  readonly path: string
  /** Undefined when the lock file exists but could not be read. */
  readonly holder: LockHolder | undefined

  constructor(path: string, holder: LockHolder | undefined, detail?: string, remedy?: string) {
    const lease = holder?.leaseExpiresAt
      ? `, its lease expires at ${holder.leaseExpiresAt} unless renewed`
      : ''
    const who = holder
      ? `${holder.owner} (pid ${holder.pid} on ${holder.hostname}) since ${holder.acquiredAt}${lease}`
      : `an unknown holder (${detail ?? 'the lock file is unreadable'})`
    super(
      `Another run is upgrading this job: the lock ${path} is held by ${who}. ` +
        `If you are sure no other run is active, ${remedy ?? `remove ${path}`} and start again.`,
    )
    this.path = path
    this.holder = holder
  }
}

export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined
}

/**
 * The lock of a running upgrade can no longer be relied on: its lease could not be renewed before it
 * expired, or another run took it over. The run stops at its next safe point.
 */
export class UpgradeLockLostError extends FlinkDeployError {
  readonly code = 'UPGRADE_LOCK_LOST'
  readonly location: string

  constructor(location: string, detail: string) {
    super(`The lock ${location} was lost: ${detail}; this run stops at its next safe point`)
    this.location = location
  }
}
