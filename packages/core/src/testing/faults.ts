/**
 * Fault injection: what can go wrong between a deployment script and Flink, on demand. Request faults
 * (latency, 5xx, connection resets, malformed bodies) are applied by the request pipeline in front of the
 * handlers; operation and job faults (failing savepoints, failing jobs, JobManager restarts) act on the model.
 */
import type { FakeFlinkCluster } from './cluster-model.ts'
import type { FakeJob } from './fake-job.ts'
import type { JavaException } from './java-errors.ts'

/**
 * Which requests a fault applies to: a Flink route key or path template such as
 * `'POST /jobs/:jobid/stop'` or `'/jobs/:jobid'` (`:name` matches one segment, a trailing `*` the rest), a
 * RegExp tested on `"<METHOD> <path>"`, or an object. Paths are matched without the `/v1` prefix and
 * without the query string. Leaving it out matches every request.
 */
export type RequestMatcher = string | RegExp | { method?: string; path?: string | RegExp }

export type MalformedKind = 'html' | 'truncated-json' | 'wrong-types'

export type RequestFaultAction =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; body?: string }
  | { kind: 'reset' }
  | { kind: 'malformed'; malformed: MalformedKind }

interface RequestFault {
  matches: (method: string, path: string) => boolean
  remaining: number
  action: RequestFaultAction
}

interface LatencyFault {
  matches: (method: string, path: string) => boolean
  remaining: number
  ms: number
}

export interface FaultOptions {
  /** Only requests matching this; all requests when left out. */
  match?: RequestMatcher
}

export class FakeFlinkFaults {
  readonly #cluster: FakeFlinkCluster
  readonly #requestFaults: RequestFault[] = []
  readonly #latencies: LatencyFault[] = []

  constructor(cluster: FakeFlinkCluster) {
    this.#cluster = cluster
  }

  /** Adds `ms` of latency before matching requests are answered (every request until cleared, or `times`). */
  latency(ms: number, options: FaultOptions & { times?: number } = {}): this {
    this.#latencies.push({
      matches: compileMatcher(options.match),
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      ms,
    })
    return this
  }

  /**
   * The next `count` matching requests answer `status` (502, 503, 504, 429, 500...) with a proxy-like
   * body; 429 and 503 carry Retry-After when `retryAfterSeconds` is given.
   */
  failNext(
    count: number,
    status: number,
    options: FaultOptions & { retryAfterSeconds?: number; body?: string } = {},
  ): this {
    this.#requestFaults.push({
      matches: compileMatcher(options.match),
      remaining: count,
      action: { kind: 'status', status, retryAfterSeconds: options.retryAfterSeconds, body: options.body },
    })
    return this
  }

  /** The next `count` matching requests lose their connection without an answer (ECONNRESET). */
  resetNext(count = 1, options: FaultOptions = {}): this {
    this.#requestFaults.push({
      matches: compileMatcher(options.match),
      remaining: count,
      action: { kind: 'reset' },
    })
    return this
  }

  /**
   * Matching requests get a malformed 200 answer: an HTML page, the real JSON cut in half, or the real JSON
   * with numbers turned into strings and strings into numbers. Every time until cleared, or `times`.
   */
  malformed(kind: MalformedKind, options: FaultOptions & { times?: number } = {}): this {
    this.#requestFaults.push({
      matches: compileMatcher(options.match),
      remaining: options.times ?? Number.POSITIVE_INFINITY,
      action: { kind: 'malformed', malformed: kind },
    })
    return this
  }

  /**
   * The next `count` savepoints or stop-with-savepoints (of `jobId`, or of any job) complete with a
   * failure cause instead of a location; a failed stop leaves the job RUNNING, as in Flink. Default cause:
   * CheckpointException "Not all required tasks are currently running.". With `failsTask` the snapshot
   * throws in the task instead (default: UnsupportedOperationException "Not supported yet.", Flink 2.x's
   * answer to a canonical savepoint of async state): the job restarts ('restart') or fails ('fail').
   */
  failSavepoints(
    count = 1,
    options: {
      jobId?: string
      exception?: JavaException
      wrapped?: boolean
      failsTask?: 'restart' | 'fail'
    } = {},
  ): this {
    this.#cluster.savepointFailures.push({
      remaining: count,
      jobId: options.jobId,
      exception:
        options.exception ??
        (options.failsTask
          ? { className: 'java.lang.UnsupportedOperationException', message: 'Not supported yet.' }
          : {
              className: 'org.apache.flink.runtime.checkpoint.CheckpointException',
              message: 'Not all required tasks are currently running.',
            }),
      wrapped: options.wrapped ?? false,
      failsTask: options.failsTask,
    })
    return this
  }

  /**
   * Makes a job fail `afterRunningMs` after all its tasks are RUNNING. With `restarts` > 0 it goes
   * RESTARTING and back to RUNNING (restored from its latest checkpoint) that many times, failing again
   * each time, before it ends FAILING → FAILED; `Infinity` keeps it in a restart loop. Every failure is
   * recorded in the exception history. `job` picks a job id, a name pattern or a predicate; by default the
   * next job that reaches RUNNING. `jobs` is how many jobs the rule applies to (default 1).
   */
  failJob(
    options: {
      job?: string | RegExp | ((job: FakeJob) => boolean)
      afterRunningMs?: number
      restarts?: number
      exception?: JavaException
      jobs?: number
    } = {},
  ): this {
    const target = options.job
    const match =
      target === undefined
        ? () => true
        : typeof target === 'string'
          ? (job: FakeJob) => job.id === target
          : target instanceof RegExp
            ? (job: FakeJob) => target.test(job.name)
            : target
    this.#cluster.jobFailures.push({
      remaining: options.jobs ?? 1,
      match,
      afterRunningMs: options.afterRunningMs ?? 0,
      restarts: options.restarts ?? 0,
      exception: options.exception ?? {
        className: 'java.lang.RuntimeException',
        message: 'Simulated failure in the fake Flink job',
      },
    })
    // A job that is already running is checked now rather than at its next start.
    for (const job of this.#cluster.jobs()) {
      if (job.allTasksRunning && !job.injectedFailure && match(job)) this.#cluster.applyJobFailures(job)
    }
    return this
  }

  /**
   * The TaskManager running `jobId` dies and no slot replaces it: the job restarts and stays RUNNING with
   * every subtask SCHEDULED (0 of n running), as Flink shows a job waiting for slots.
   */
  loseTaskManager(jobId: string): this {
    const job = this.#cluster.job(jobId)
    if (!job) throw new Error(`no job ${jobId} on the fake cluster`)
    job.loseTaskManager()
    return this
  }

  /**
   * Restarts the JobManager: requests fail while it is down, then trigger results and (unless kept)
   * uploaded jars are gone and running jobs are recovered from their latest checkpoint. Resolves when it
   * is back up.
   */
  restartJobManager(options: { downtimeMs?: number; keepJars?: boolean } = {}): Promise<void> {
    return this.#cluster.restartJobManager(options)
  }

  /** Removes every request, savepoint and job fault (jobs already failing keep failing). */
  clear(): this {
    this.#requestFaults.length = 0
    this.#latencies.length = 0
    this.#cluster.savepointFailures.length = 0
    this.#cluster.jobFailures.length = 0
    return this
  }

  // ---- used by the request pipeline ------------------------------------------------------------------------

  /** @internal Total latency to add to this request. */
  takeLatency(method: string, path: string): number {
    let total = 0
    for (const fault of this.#latencies) {
      if (fault.remaining > 0 && fault.matches(method, path)) {
        fault.remaining--
        total += fault.ms
      }
    }
    return total
  }

  /** @internal The fault this request gets, if any (consumed). */
  takeRequestFault(method: string, path: string): RequestFaultAction | undefined {
    const fault = this.#requestFaults.find((f) => f.remaining > 0 && f.matches(method, path))
    if (!fault) return undefined
    fault.remaining--
    return fault.action
  }
}

export function compileMatcher(
  matcher: RequestMatcher | undefined,
): (method: string, path: string) => boolean {
  if (matcher === undefined) return () => true
  if (matcher instanceof RegExp) return (method, path) => matcher.test(`${method} ${path}`)
  if (typeof matcher === 'string') {
    const space = matcher.indexOf(' ')
    const method = space > 0 && !matcher.startsWith('/') ? matcher.slice(0, space) : undefined
    const path = method ? matcher.slice(space + 1) : matcher
    return compileMatcher({ method, path })
  }
  const method = matcher.method?.toUpperCase()
  const path = matcher.path
  const pathTest =
    path === undefined
      ? () => true
      : path instanceof RegExp
        ? (p: string) => path.test(p)
        : templateTest(path)
  return (m, p) => (method === undefined || method === m.toUpperCase()) && pathTest(p)
}

function templateTest(template: string): (path: string) => boolean {
  const source = template
    .replace(/^\/v1(?=\/)/, '')
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*'
      if (segment.startsWith(':')) return '[^/]+'
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  const regex = new RegExp(`^${source}/?$`)
  return (path) => regex.test(path)
}
