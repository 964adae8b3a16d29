/**
 * Every error that leaves @flink-deploy/core is one of these classes. Each has a stable `code` so callers
 * (the CLI, the Action, user scripts) can branch on it even when two copies of this package are loaded and
 * `instanceof` fails; `isFlinkDeployError` checks a `Symbol.for` marker for the same reason.
 */
import { redact } from './redact.ts'

const MARKER = Symbol.for('@flink-deploy/core.error')

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'FLINK_API_ERROR'
  | 'FLINK_TRANSPORT_ERROR'
  | 'FLINK_RESPONSE_SHAPE'
  | 'FLINK_OPERATION_FAILED'
  | 'FLINK_OPERATION_TIMEOUT'
  | 'FLINK_UNSUPPORTED'
  | 'PREFLIGHT_FAILED'
  | 'STATE_FILE_INVALID'
  | 'STATE_STORE_IO'
  | 'UPGRADE_LOCKED'
  | 'UPGRADE_LOCK_LOST'
  | 'STATE_STORE_UNAVAILABLE'
  | 'STATE_STORE_CONFLICT'
  | 'OBJECT_CONDITION_FAILED'
  | 'MANIFEST_INVALID'
  | 'SAVEPOINT_RESULT_LOST'
  | 'RELEASE_START_FAILED'
  | 'HANDOVER_REFUSED'
  | 'HANDOVER_STALLED'
  | 'HANDOVER_GREEN_ENDED'

export abstract class FlinkDeployError extends Error {
  abstract readonly code: ErrorCode
  readonly [MARKER] = true

  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(message), options)
    this.name = new.target.name
  }
}

export function isFlinkDeployError(value: unknown): value is FlinkDeployError {
  return typeof value === 'object' && value !== null && MARKER in value
}

/** Bad input, found before any request is sent. */
export class InvalidArgumentError extends FlinkDeployError {
  readonly code = 'INVALID_ARGUMENT'
  /** The argument that was wrong, as the caller named it (`jobid`, `baseUrl`, `body.triggerId`...). */
  readonly argument: string

  constructor(argument: string, problem: string) {
    super(`Invalid ${argument}: ${problem}`)
    this.argument = argument
  }
}

/** Flink answered with an error status. `errors` are the messages from Flink's `{"errors": [...]}` body. */
export class FlinkApiError extends FlinkDeployError {
  readonly code = 'FLINK_API_ERROR'
  readonly status: number
  readonly method: string
  readonly path: string
  readonly errors: readonly string[]
  /** From a Retry-After header (429/503), when the server sent one. */
  readonly retryAfterMs: number | undefined

  constructor(init: {
    status: number
    method: string
    path: string
    errors: readonly string[]
    retryAfterMs?: number
  }) {
    const detail = init.errors.length > 0 ? firstLines(init.errors) : 'no error message in the response'
    super(`Flink answered ${init.status} to ${init.method} ${init.path}: ${detail}`)
    this.status = init.status
    this.method = init.method
    this.path = init.path
    this.errors = init.errors.map(redact)
    this.retryAfterMs = init.retryAfterMs
  }
}

/** The request never got an HTTP answer: connection refused or reset, TLS failure, timeout, abort. */
export class FlinkTransportError extends FlinkDeployError {
  readonly code = 'FLINK_TRANSPORT_ERROR'
  readonly method: string
  readonly path: string
  /** The low-level error code, e.g. ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, DEADLINE_EXCEEDED. */
  readonly reason: string
  readonly detail: string
  /** How many attempts were made, so a caller knows whether retries were already spent. */
  readonly attempts: number

  constructor(init: {
    method: string
    path: string
    reason: string
    detail: string
    attempts: number
    cause?: unknown
  }) {
    const tries = init.attempts > 1 ? ` after ${init.attempts} attempts` : ''
    super(`${init.method} ${init.path} failed${tries}: ${init.reason}: ${init.detail}`, { cause: init.cause })
    this.method = init.method
    this.path = init.path
    this.reason = init.reason
    this.detail = redact(init.detail)
    this.attempts = init.attempts
  }
}

/** Flink answered 2xx, but the body was not what this endpoint returns (HTML from a proxy, truncated JSON...). */
export class FlinkResponseShapeError extends FlinkDeployError {
  readonly code = 'FLINK_RESPONSE_SHAPE'
  readonly endpoint: string
  readonly issues: string

  constructor(endpoint: string, issues: string, cause?: unknown) {
    super(`Unexpected response from ${endpoint}:\n${issues}`, { cause })
    this.endpoint = endpoint
    this.issues = issues
  }
}

/** An asynchronous Flink operation (savepoint, stop, checkpoint...) completed with a failure cause. */
export class FlinkOperationFailedError extends FlinkDeployError {
  readonly code = 'FLINK_OPERATION_FAILED'
  readonly operation: string
  readonly triggerId: string
  /** The Java exception class from Flink's `failure-cause`, e.g. org.apache.flink.runtime.checkpoint.CheckpointException. */
  readonly javaClass: string
  /** The first line of Flink's stack trace: the exception message. */
  readonly javaMessage: string
  /** Flink's whole stack trace, whose `Caused by:` lines often say more than the first. */
  readonly stackTrace: string

  constructor(init: {
    operation: string
    triggerId: string
    javaClass: string
    javaMessage: string
    stackTrace?: string
  }) {
    super(
      `${init.operation} failed in Flink: ${init.javaClass}: ${init.javaMessage} (trigger id ${init.triggerId})`,
    )
    this.operation = init.operation
    this.triggerId = init.triggerId
    this.javaClass = init.javaClass
    this.javaMessage = redact(init.javaMessage)
    this.stackTrace = redact(init.stackTrace ?? '')
  }
}

/** An asynchronous operation was still running when its deadline passed. Flink may still complete it. */
export class FlinkOperationTimeoutError extends FlinkDeployError {
  readonly code = 'FLINK_OPERATION_TIMEOUT'
  readonly operation: string
  readonly triggerId: string

  constructor(operation: string, triggerId: string, waitedMs: number) {
    super(
      `${operation} was still in progress after ${waitedMs} ms (trigger id ${triggerId}); it may still complete in Flink`,
    )
    this.operation = operation
    this.triggerId = triggerId
  }
}

/**
 * A savepoint was triggered but its answer is gone (the JobManager forgot the trigger, or the wait timed out)
 * and the job's statistics do not name it either. It may still exist on storage: `searchHint` says where.
 */
export class SavepointResultLostError extends FlinkDeployError {
  readonly code = 'SAVEPOINT_RESULT_LOST'
  readonly jobId: string
  readonly triggerId: string
  readonly searchHint: string

  constructor(init: { jobId: string; triggerId: string; searchHint: string; cause: unknown }) {
    const reason = init.cause instanceof Error ? init.cause.message : String(init.cause)
    super(
      `The savepoint ${init.triggerId} of job ${init.jobId} may have been written, but its result was lost (${reason}). ` +
        `Look for ${init.searchHint}`,
      { cause: init.cause },
    )
    this.jobId = init.jobId
    this.triggerId = init.triggerId
    this.searchHint = init.searchHint
  }
}

/**
 * Flink would not run a release: its main() threw, the entry class is missing, an argument was refused. The
 * message names the cause Flink returned, in one line; Flink's whole answer (Java stack traces) stays on
 * `cause` (a FlinkApiError) for whoever asks for it.
 */
export class ReleaseStartFailedError extends FlinkDeployError {
  readonly code = 'RELEASE_START_FAILED'
  /** The program's own exception, e.g. "java.lang.IllegalArgumentException: --release must be v1 or v2, got: v3". */
  readonly programError: string

  constructor(init: { jarId: string; programError: string; cause: FlinkApiError }) {
    super(`The release in jar ${init.jarId} did not start: ${init.programError}`, { cause: init.cause })
    this.programError = redact(init.programError)
  }
}

/** The cluster does not offer what was asked, e.g. jar submission disabled or an endpoint newer than its version. */
export class FlinkUnsupportedError extends FlinkDeployError {
  readonly code = 'FLINK_UNSUPPORTED'
}

function firstLines(errors: readonly string[]): string {
  // Flink puts whole Java stack traces into `errors`; the first line of each says what went wrong, except
  // for a 500, whose second entry starts "<Exception on server side:" and names the exception below it.
  return errors
    .map((e) => {
      const lines = e.split('\n').map((l) => l.trim())
      return lines[0] === '<Exception on server side:'
        ? (lines.find((l, i) => i > 0 && l !== '') ?? lines[0])
        : lines[0]
    })
    .join('; ')
}

/** An upgrade refused to start: something it must be sure of before changing anything was not true. */
export class PreflightFailedError extends FlinkDeployError {
  readonly code = 'PREFLIGHT_FAILED'
  /** Which preflight check refused, e.g. 'blue-job', 'state-compatibility', 'free-slots'. */
  readonly check: string
  readonly details: Readonly<Record<string, unknown>>

  constructor(check: string, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.check = check
    this.details = details
  }
}

/**
 * Whether Flink said "no such job". Most routes answer 404, but some (GET /jobs/:jobid/status) answer 500
 * with a FlinkJobNotFoundException, so both count.
 */
export function isJobNotFound(error: unknown): boolean {
  if (!(error instanceof FlinkApiError)) return false
  return error.status === 404 || error.errors.some((e) => e.includes('FlinkJobNotFoundException'))
}

/** Why an exactly-once hand-over cannot split blue's output from green's; found before blue is touched. */
export type HandoverRefusal =
  | 'no-gate'
  | 'no-watermarks'
  /** Blue's gate reports no colour the next release can take the other of (or a library without roles). */
  | 'gate-colour'
  /** Blue's gate is in the middle of a hand-over, or writes nothing. */
  | 'gate-state'
  /** A blue gate subtask's input is idle: T could run ahead of its records. */
  | 'idle-source'
  /** A gate of blue or green did not read the object this run wrote (before T, so nothing is lost). */
  | 'object-unread'

/** The hand-over (handover gate) was refused before blue was touched. */
export class HandoverRefusedError extends FlinkDeployError {
  readonly code = 'HANDOVER_REFUSED'
  readonly reason: HandoverRefusal

  constructor(reason: HandoverRefusal, message: string) {
    super(message)
    this.reason = reason
  }
}

/** A hand-over step did not happen in time (a gate that does not take T, a watermark that does not move). */
export class HandoverStalledError extends FlinkDeployError {
  readonly code = 'HANDOVER_STALLED'

  constructor(waitingFor: string) {
    super(`the hand-over stalled: still waiting for ${waitingFor} at the step's deadline`)
  }
}

/**
 * Green ended after T was published. Blue may already drop records at or past T, so neither withdrawing T nor
 * cancelling is safe: green must run again (same jar and flink-deploy.handover.* configuration, from its latest
 * checkpoint), and blue be stopped with a savepoint only once its watermark passed T.
 */
export class HandoverGreenEndedError extends FlinkDeployError {
  readonly code = 'HANDOVER_GREEN_ENDED'

  constructor(greenJobId: string, status: string, cutoverMillis: number) {
    super(
      `green ${greenJobId} is ${status} after the cutover T = ${cutoverMillis} was published: blue writes only records before T, ` +
        `so records from T on wait for green. Start green again from its latest checkpoint with the same jar and flink-deploy.handover.* configuration ` +
        `(its gate reads T again), then stop blue with a savepoint once its gate watermark reached T`,
    )
  }
}
