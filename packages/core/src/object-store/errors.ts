/** Errors of shared run state on object storage; FlinkDeployErrors, so callers branch on `code`. */
import { FlinkDeployError } from '../errors.ts'

/** Why the store could not be used, so a message can say what to fix. */
export type StoreProblem = 'unreachable' | 'access-denied' | 'no-such-bucket' | 'server-error' | 'bad-request'

/**
 * The state store could not be read or written: refused credentials, a missing bucket, or a server that
 * stayed unreachable or kept failing after the retries.
 */
export class StateStoreUnavailableError extends FlinkDeployError {
  readonly code = 'STATE_STORE_UNAVAILABLE'
  readonly location: string
  readonly problem: StoreProblem
  readonly operation: string

  constructor(init: {
    location: string
    operation: string
    problem: StoreProblem
    detail: string
    cause?: unknown
  }) {
    super(`The state store ${init.location} could not ${init.operation}: ${init.detail}`, {
      cause: init.cause,
    })
    this.location = init.location
    this.problem = init.problem
    this.operation = init.operation
  }
}

/**
 * A conditional write or delete lost: the object was created, replaced or removed by someone else since it was
 * read (S3's 412 PreconditionFailed). Never retried blindly: the caller reads again and decides.
 */
export class ObjectConditionFailedError extends FlinkDeployError {
  readonly code = 'OBJECT_CONDITION_FAILED'
  readonly key: string

  constructor(location: string, key: string) {
    super(`The object ${location}${key} was changed by someone else since it was read`)
    this.key = key
  }
}

/**
 * Another process wrote this job's run state since this one read it (a run that took over an expired lease,
 * or an operator's `unlock`). This process stops: continuing would overwrite the newer run.
 */
export class StaleRunStateError extends FlinkDeployError {
  readonly code = 'STATE_STORE_CONFLICT'
  readonly location: string

  constructor(location: string) {
    super(
      `The run state ${location} was written by another process since this one read it; this run stops so ` +
        'it does not overwrite the newer run (see `flink-deploy status` for who holds the lock).',
    )
    this.location = location
  }
}
