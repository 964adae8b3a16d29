/**
 * The loop every polling check shares: observe, decide (pass, fail, or keep waiting), back off from ~50 ms to
 * a cap, and stop at `ctx.deadline` or when `ctx.signal` aborts. Transient client errors (no answer, 5xx, a
 * malformed body from a proxy) are waited out until the deadline; other errors fail the check at once.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { CallOptions } from '../client/route.ts'
import { FlinkApiError, FlinkResponseShapeError, FlinkTransportError, isFlinkDeployError } from '../errors.ts'
import { type CheckContext, type CheckResult, checkResult } from './check.ts'

export type Evidence = Record<string, unknown>

/** What one observation decided. `wait` may name when to look again (e.g. when a window ends). */
export type Observation =
  | { verdict: 'pass' | 'fail'; message: string; evidence: Evidence }
  | { verdict: 'wait'; message: string; evidence: Evidence; recheckAt?: number }

export interface PollOptions {
  /** First pause between two observations. Default 50 ms. */
  initialMs?: number
  /** Longest pause. Default 1000 ms. */
  maxMs?: number
  factor?: number
}

/** The shortest time given to a request, even when the deadline is nearer (one last look at the deadline). */
const MIN_CALL_MS = 200

export async function pollCheck(
  name: string,
  ctx: CheckContext,
  observe: (call: CallOptions) => Promise<Observation>,
  options: PollOptions = {},
): Promise<CheckResult> {
  const startedAt = Date.now()
  const initialMs = options.initialMs ?? 50
  const maxMs = options.maxMs ?? 1_000
  const factor = options.factor ?? 1.6
  const finish = (passed: boolean, message: string, evidence: Evidence): CheckResult =>
    checkResult(name, startedAt, passed, message, evidence)

  let last: Observation | undefined
  let lastError: Evidence | undefined
  let observations = 0
  let pause = initialMs
  for (;;) {
    if (ctx.signal?.aborted) return aborted(finish, last, observations)
    const remaining = ctx.deadline - Date.now()
    try {
      observations++
      const observation = await observe({
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        timeoutMs: Math.max(remaining, MIN_CALL_MS),
      })
      last = observation
      lastError = undefined
      if (observation.verdict !== 'wait') {
        return finish(observation.verdict === 'pass', observation.message, {
          ...observation.evidence,
          observations,
        })
      }
    } catch (error) {
      if (ctx.signal?.aborted) return aborted(finish, last, observations)
      lastError = errorEvidence(error)
      if (!isTransient(error)) {
        return finish(false, `${name} could not look at the job: ${lastError.error}`, {
          ...last?.evidence,
          ...lastError,
          observations,
        })
      }
    }
    const now = Date.now()
    if (now >= ctx.deadline) {
      const why = lastError
        ? `the last request failed: ${lastError.error}`
        : (last?.message ?? 'nothing seen')
      return finish(false, `Still not satisfied at the deadline: ${why}`, {
        ...last?.evidence,
        ...lastError,
        deadlineReached: true,
        observations,
      })
    }
    let wake = Math.min(now + pause, ctx.deadline)
    if (last?.verdict === 'wait' && last.recheckAt !== undefined && !lastError)
      wake = Math.min(wake, last.recheckAt)
    pause = Math.min(pause * factor, maxMs)
    try {
      await sleep(Math.max(0, wake - now), undefined, ctx.signal ? { signal: ctx.signal } : {})
    } catch {
      return aborted(finish, last, observations)
    }
  }
}

function aborted(
  finish: (passed: boolean, message: string, evidence: Evidence) => CheckResult,
  last: Observation | undefined,
  observations: number,
): CheckResult {
  return finish(false, `Aborted before a verdict${last ? `; last seen: ${last.message}` : ''}`, {
    ...last?.evidence,
    aborted: true,
    observations,
  })
}

/** Errors worth waiting out: no answer, a server-side or overload status, a body mangled on the way. */
export function isTransient(error: unknown): boolean {
  if (error instanceof FlinkTransportError) return error.reason !== 'ABORTED'
  if (error instanceof FlinkApiError) return error.status >= 500 || error.status === 429
  return error instanceof FlinkResponseShapeError
}

/** An error as evidence: its message and, for flink-deploy errors, its code. */
export function errorEvidence(error: unknown): { error: string; errorCode?: string } {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return isFlinkDeployError(error) ? { error: message, errorCode: error.code } : { error: message }
}

/** Job states from which a job does not come back to RUNNING by itself. */
export const GONE_STATES: ReadonlySet<string> = new Set([
  'FAILING',
  'FAILED',
  'CANCELLING',
  'CANCELED',
  'FINISHED',
  'SUSPENDED',
])
