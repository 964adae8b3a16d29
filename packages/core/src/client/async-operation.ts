/**
 * Flink runs savepoints, stops, checkpoints, rescaling and disposals asynchronously: a trigger returns a
 * request id, a status route reports IN_PROGRESS until COMPLETED. This is the one loop that waits for any of
 * them: it polls soon (tens of milliseconds) and backs off to a cap, honours an AbortSignal and a deadline,
 * and treats COMPLETED-with-a-failure-cause as the failure it is.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { FlinkOperationFailedError, FlinkOperationTimeoutError, FlinkTransportError } from '../errors.ts'
import type { FailureCause } from './schemas/common.ts'

export interface PollSchedule {
  /** First wait after the trigger. */
  initialMs: number
  /** Longest wait between two polls. */
  maxMs: number
  factor: number
}

export const DEFAULT_POLL: PollSchedule = { initialMs: 20, maxMs: 1_000, factor: 1.6 }

export interface AwaitOptions {
  signal?: AbortSignal
  /** How long to wait for completion, from the trigger on. Default 15 minutes. */
  timeoutMs?: number
  poll?: Partial<PollSchedule>
}

export interface AsyncStatus<T> {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' }
  operation?: T | null
}

/** Failure causes come kebab-case from most routes and camelCase from the checkpoint status route. */
export interface MaybeFailed {
  'failure-cause'?: FailureCause | null
  failureCause?: FailureCause | null
}

export interface OperationSpec<T extends MaybeFailed> {
  /** For messages: "savepoint of job 3f2a...". */
  name: string
  trigger: () => Promise<{ 'request-id': string }>
  status: (triggerId: string) => Promise<AsyncStatus<T>>
}

export interface CompletedOperation<T> {
  triggerId: string
  result: T
  /** Time from trigger to observed completion. */
  durationMs: number
}

/** A trigger id Flink accepts from the client (32 lowercase hex), so a retried trigger is the same operation. */
export function newTriggerId(): string {
  return randomBytes(16).toString('hex')
}

export async function runAsyncOperation<T extends MaybeFailed>(
  spec: OperationSpec<T>,
  options: AwaitOptions = {},
): Promise<CompletedOperation<T>> {
  const started = performance.now()
  const { 'request-id': triggerId } = await spec.trigger()
  const result = await awaitOperation(spec.name, triggerId, () => spec.status(triggerId), options, started)
  return { triggerId, result, durationMs: Math.round(performance.now() - started) }
}

/** Waits for an operation that was triggered earlier (for example before a process restart). */
export async function awaitOperation<T extends MaybeFailed>(
  name: string,
  triggerId: string,
  status: () => Promise<AsyncStatus<T>>,
  options: AwaitOptions = {},
  started = performance.now(),
): Promise<T> {
  const schedule = { ...DEFAULT_POLL, ...options.poll }
  const timeoutMs = options.timeoutMs ?? 15 * 60_000
  let wait = schedule.initialMs
  for (;;) {
    const answer = await status()
    if (answer.status.id === 'COMPLETED') return completed(name, triggerId, answer.operation)
    const left = timeoutMs - (performance.now() - started)
    if (left <= 0)
      throw new FlinkOperationTimeoutError(name, triggerId, Math.round(performance.now() - started))
    await pause(Math.min(wait, left), options.signal, name)
    wait = Math.min(wait * schedule.factor, schedule.maxMs)
  }
}

function completed<T extends MaybeFailed>(
  name: string,
  triggerId: string,
  operation: T | null | undefined,
): T {
  const cause = operation?.['failure-cause'] ?? operation?.failureCause
  if (cause) {
    throw new FlinkOperationFailedError({
      operation: name,
      triggerId,
      ...javaException(cause),
      stackTrace: cause['stack-trace'],
    })
  }
  return (operation ?? {}) as T
}

/** Exceptions that only carry another one; the one inside says what went wrong. */
const WRAPPERS = new Set([
  'java.util.concurrent.CompletionException',
  'java.util.concurrent.ExecutionException',
  'java.lang.reflect.InvocationTargetException',
])

const EXCEPTION_PREFIX = /^([\w$.]+(?:Exception|Error|Throwable)): ?(.*)$/

/**
 * Flink's stack trace starts with "<class>: <message>", and a wrapped cause reads
 * "java.util.concurrent.CompletionException: org.apache...CheckpointException: Not all required tasks...".
 * What a person needs is the innermost class and its message.
 */
export function javaException(cause: FailureCause): { javaClass: string; javaMessage: string } {
  let javaClass = cause.class
  let message = (cause['stack-trace'].split('\n', 1)[0] ?? '').trim()
  if (message.startsWith(`${javaClass}: `)) message = message.slice(javaClass.length + 2)
  else if (message === javaClass) message = ''
  let inner = EXCEPTION_PREFIX.exec(message)
  while (inner && WRAPPERS.has(javaClass)) {
    javaClass = inner[1]!
    message = inner[2]!
    inner = EXCEPTION_PREFIX.exec(message)
  }
  return { javaClass, javaMessage: message.trim() || '(no message)' }
}

async function pause(ms: number, signal: AbortSignal | undefined, name: string): Promise<void> {
  try {
    await sleep(ms, undefined, { signal })
  } catch (error) {
    if (signal?.aborted) {
      throw new FlinkTransportError({
        method: 'WAIT',
        path: name,
        reason: 'ABORTED',
        detail: 'the caller cancelled while waiting for the operation',
        attempts: 1,
        cause: error,
      })
    }
    throw error
  }
}
