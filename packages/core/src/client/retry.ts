/**
 * The single retry layer. Only transient failures are retried, and only for requests that are safe to
 * repeat: idempotent methods, or POSTs made idempotent by a client-chosen triggerId or jobId.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import pRetry, { AbortError } from 'p-retry'
import { FlinkApiError, FlinkTransportError } from '../errors.ts'
import type { ResolvedClientOptions } from './options.ts'

const TRANSIENT_STATUS = new Set([429, 502, 503, 504])

/** Connection-level failures where the server either never saw the request or dropped it mid-way. */
export const TRANSIENT_REASONS: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

export function isTransient(error: unknown): boolean {
  if (error instanceof FlinkApiError) return TRANSIENT_STATUS.has(error.status)
  if (error instanceof FlinkTransportError) return TRANSIENT_REASONS.has(error.reason)
  return false
}

/** Milliseconds the server asked us to wait, from a Retry-After header of seconds or an HTTP date. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value
  if (!raw) return undefined
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export interface RetryOptions {
  idempotent: boolean
  signal?: AbortSignal
  policy: ResolvedClientOptions['retry']
  /**
   * How long transient failures are retried beyond policy.retries (timeouts.unreachableMs); 0 when the
   * JobManager never answered this client yet: a wrong URL fails at once.
   */
  unreachableMs: number
}

/**
 * Retries a call that is safe to repeat: policy.retries times with backoff, then, while the failures stay
 * transient (the JobManager is down or failing over), every maxDelayMs until unreachableMs after the first
 * attempt.
 */
export async function withRetry<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  if (!options.idempotent || options.policy.retries === 0) return attempt()
  const giveUpAt = Date.now() + options.unreachableMs
  let attempts = 0
  const counted = () => {
    attempts++
    return attempt()
  }
  for (;;) {
    try {
      return await retryRound(counted, options)
    } catch (error) {
      if (!isTransient(error) || Date.now() + options.policy.maxDelayMs > giveUpAt)
        throw withAttempts(error, attempts)
      await sleep(options.policy.maxDelayMs, undefined, { signal: options.signal })
    }
  }
}

function retryRound<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await attempt()
      } catch (error) {
        throw isTransient(error) ? error : new AbortError(error as Error)
      }
    },
    {
      retries: options.policy.retries,
      minTimeout: options.policy.minDelayMs,
      maxTimeout: options.policy.maxDelayMs,
      factor: 2,
      randomize: true,
      signal: options.signal,
      onFailedAttempt: ({ error, retryDelay }) => waitForRetryAfter(error, retryDelay, options.signal),
    },
  )
}

/** p-retry waits its own backoff; when the server asked for longer (429/503 Retry-After), wait the difference. */
async function waitForRetryAfter(error: Error, backoffMs: number, signal?: AbortSignal): Promise<void> {
  const asked = error instanceof FlinkApiError ? error.retryAfterMs : undefined
  if (asked === undefined || asked <= backoffMs) return
  await sleep(asked - backoffMs, undefined, { signal })
}

function withAttempts(error: unknown, attempts: number): unknown {
  if (!(error instanceof FlinkTransportError) || attempts <= 1) return error
  const { method, path, reason, detail, cause } = error
  return new FlinkTransportError({ method, path, reason, detail, attempts, cause })
}
