/**
 * One POST of a message to one webhook, tried again a few times when the webhook is down or overloaded, and
 * given up within a bounded time: a notification may be lost, the run it reports must not wait on it.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export interface DeliveryPolicy {
  /** Tries in all, the first included. */
  attempts: number
  /** Wait before the second try; doubled before each further one. */
  backoffMs: number
  /** Deadline of one try (connect, send, answer). */
  attemptTimeoutMs: number
  /** Deadline of all tries together: no further try starts after it. */
  totalMs: number
}

export const DEFAULT_DELIVERY: DeliveryPolicy = {
  attempts: 4,
  backoffMs: 250,
  attemptTimeoutMs: 5_000,
  totalMs: 15_000,
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>

export type Delivered = { ok: true; attempts: number } | { ok: false; attempts: number; problem: string }

/** Answers worth another try: the webhook may take the same message a moment later. */
const retryable = (status: number) => status >= 500 || status === 429 || status === 408

export async function deliver(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: DeliveryPolicy = DEFAULT_DELIVERY,
  fetchFn: Fetch = fetch,
): Promise<Delivered> {
  const until = Date.now() + policy.totalMs
  let problem = 'not sent'
  for (let attempt = 1; ; attempt++) {
    const timeout = Math.max(1, Math.min(policy.attemptTimeoutMs, until - Date.now()))
    let again = true
    try {
      const response = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(timeout),
      })
      // The answer's body is not read into any message: a webhook may echo what it was sent.
      await response.body?.cancel().catch(() => undefined)
      if (response.ok) return { ok: true, attempts: attempt }
      problem = `HTTP ${response.status}`
      again = retryable(response.status)
    } catch (error) {
      problem = failureOf(error)
    }
    const wait = policy.backoffMs * 2 ** (attempt - 1)
    if (!again || attempt >= policy.attempts || Date.now() + wait >= until)
      return { ok: false, attempts: attempt, problem }
    await sleep(wait)
  }
}

/**
 * A failed request named by its low-level code (ECONNREFUSED, a timeout), never by its message: fetch's
 * messages may quote the URL, whose path can be a credential.
 */
function failureOf(error: unknown): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } }
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'no answer in time'
  return e.cause?.code ?? e.code ?? 'request failed'
}
