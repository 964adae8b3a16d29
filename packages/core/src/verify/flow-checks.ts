/**
 * Optional checks that look at data moving through green: records leave the sources, watermarks advance,
 * no vertex is highly back-pressured; and a user's own check. Records, watermarks and back pressure come from
 * Flink's metric store, which the JobManager refreshes every `metrics.fetcher.update-interval` (10 s by
 * default), so give these checks a deadline longer than that on a real cluster.
 */
import type { JobDetails } from '../client/schemas/jobs.ts'
import { type Check, type CheckContext, type CheckResult, checkResult } from './check.ts'
import { byVertexName } from './job-checks.ts'
import { type Evidence, errorEvidence, GONE_STATES, type PollOptions, pollCheck } from './poll.ts'

/** Vertices no other vertex reads from, according to the job plan; the first vertex when the plan says nothing. */
export function sourceVertices(job: JobDetails): JobDetails['vertices'] {
  const nodes = (job.plan as { nodes?: { id?: unknown; inputs?: { id?: unknown }[] }[] } | undefined)?.nodes
  if (!Array.isArray(nodes)) return job.vertices.slice(0, 1)
  const withInputs = new Set(
    nodes.filter((n) => Array.isArray(n.inputs) && n.inputs.length > 0).map((n) => String(n.id)),
  )
  const sources = job.vertices.filter((v) => !withInputs.has(v.id))
  return sources.length > 0 ? sources : job.vertices.slice(0, 1)
}

/**
 * The records written by the source vertices (`write-records`, summed) grow by at least `minIncrease` while
 * the check watches. A job chained into a single vertex writes no records between vertices; leave this check
 * out for such jobs.
 */
export function recordsFlowing(options: { minIncrease?: number; poll?: PollOptions } = {}): Check {
  const name = 'records-flowing'
  const minIncrease = options.minIncrease ?? 1
  return {
    name,
    run: (ctx) => {
      let baseline: number | undefined
      return pollCheck(
        name,
        ctx,
        async (call) => {
          const job = await ctx.client.jobs.get({ jobid: ctx.jobId, ...call })
          const sources = sourceVertices(job)
          const written = sources.reduce((n, v) => n + (v.metrics?.['write-records'] ?? 0), 0)
          baseline ??= written
          const evidence: Evidence = {
            sources: sources.map((v) => v.name),
            recordsAtStart: baseline,
            records: written,
            jobState: job.state,
          }
          if (written - baseline >= minIncrease)
            return {
              verdict: 'pass',
              message: `The sources wrote ${written - baseline} record(s) while watched`,
              evidence,
            }
          if (GONE_STATES.has(job.state))
            return { verdict: 'fail', message: `The job is ${job.state}`, evidence }
          return {
            verdict: 'wait',
            message: `The sources wrote ${written - baseline} record(s) so far`,
            evidence,
          }
        },
        options.poll,
      )
    },
  }
}

/** Anything at or below this is Long.MIN_VALUE on the wire: no watermark yet. */
const NO_WATERMARK = -(2 ** 62)

/**
 * The watermark of at least one vertex (the lowest over its subtasks, from the watermarks endpoint) advances
 * while the check watches. `Long.MIN_VALUE` means the vertex has no watermark yet.
 */
export function watermarksAdvance(options: { poll?: PollOptions } = {}): Check {
  const name = 'watermarks-advance'
  return {
    name,
    run: (ctx) => {
      const baseline = new Map<string, number>()
      return pollCheck(
        name,
        ctx,
        async (call) => {
          const job = await ctx.client.jobs.get({ jobid: ctx.jobId, ...call })
          const lists = await Promise.all(
            job.vertices.map((v) =>
              ctx.client.vertices.watermarks({ jobid: ctx.jobId, vertexid: v.id, ...call }),
            ),
          )
          const current = lists.map((list) => {
            const values = list
              .map((w) => Number(w.value))
              .filter((n) => Number.isFinite(n) && n > NO_WATERMARK)
            return values.length > 0 ? Math.min(...values) : undefined
          })
          const advanced: string[] = []
          job.vertices.forEach((v, i) => {
            const now = current[i]
            if (now === undefined) return
            const before = baseline.get(v.id)
            if (before === undefined) baseline.set(v.id, now)
            else if (now > before) advanced.push(v.name)
          })
          const evidence: Evidence = {
            watermarks: byVertexName(job.vertices, (i) => current[i] ?? null),
            advanced,
            jobState: job.state,
          }
          if (advanced.length > 0)
            return { verdict: 'pass', message: `Watermarks advance at ${advanced.join(', ')}`, evidence }
          if (GONE_STATES.has(job.state))
            return { verdict: 'fail', message: `The job is ${job.state}`, evidence }
          return {
            verdict: 'wait',
            message:
              baseline.size === 0 ? 'No vertex has a watermark yet' : 'Watermarks have not advanced yet',
            evidence,
          }
        },
        options.poll,
      )
    },
  }
}

/**
 * Every vertex reports back pressure and none is at level `high`. A job catching up after a restore may be
 * back-pressured for a while, so by default the check waits for a sample without `high` until the deadline;
 * `failFast` fails on the first `high` instead.
 */
export function backpressureNotHigh(options: { failFast?: boolean; poll?: PollOptions } = {}): Check {
  const name = 'backpressure-not-high'
  return {
    name,
    run: (ctx) =>
      pollCheck(
        name,
        ctx,
        async (call) => {
          const job = await ctx.client.jobs.get({ jobid: ctx.jobId, ...call })
          const samples = await Promise.all(
            job.vertices.map((v) =>
              ctx.client.vertices.backpressure({ jobid: ctx.jobId, vertexid: v.id, ...call }),
            ),
          )
          const levels = samples.map((s) => (s.status === 'ok' ? (s.backpressureLevel ?? null) : null))
          const evidence: Evidence = {
            levels: byVertexName(job.vertices, (i) => levels[i] ?? null),
            jobState: job.state,
          }
          const high = job.vertices.filter((_, i) => levels[i] === 'high').map((v) => v.name)
          const unmeasured = job.vertices.filter((_, i) => levels[i] === null).map((v) => v.name)
          if (GONE_STATES.has(job.state))
            return { verdict: 'fail', message: `The job is ${job.state}`, evidence }
          if (high.length > 0 && options.failFast)
            return { verdict: 'fail', message: `Back pressure is high at ${high.join(', ')}`, evidence }
          if (high.length === 0 && unmeasured.length === 0)
            return { verdict: 'pass', message: 'No vertex is highly back-pressured', evidence }
          return {
            verdict: 'wait',
            message:
              high.length > 0
                ? `Back pressure is high at ${high.join(', ')}`
                : `No back pressure sample yet for ${unmeasured.join(', ')}`,
            evidence,
          }
        },
        options.poll,
      ),
  }
}

/** What a custom check returns: a verdict, or a verdict with a message and evidence. */
export type CustomVerdict =
  | boolean
  | { passed: boolean; message?: string; evidence?: Record<string, unknown> }

/**
 * A user-supplied async check. It gets the context with a signal that aborts at `ctx.deadline` (or when
 * `ctx.signal` aborts) and should poll on its own if it needs to; one that does not return by the deadline
 * fails there. A throw is a failed result with the error as evidence.
 */
export function customCheck(name: string, fn: (ctx: CheckContext) => Promise<CustomVerdict>): Check {
  return {
    name,
    run: async (ctx) => {
      const startedAt = Date.now()
      const result = (passed: boolean, message: string, evidence: Record<string, unknown>): CheckResult =>
        checkResult(name, startedAt, passed, message, evidence)
      const timeout = AbortSignal.timeout(Math.max(0, ctx.deadline - startedAt))
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout
      let onAbort: (() => void) | undefined
      const stopped = new Promise<'stopped'>((resolve) => {
        onAbort = () => resolve('stopped')
        if (signal.aborted) resolve('stopped')
        else signal.addEventListener('abort', onAbort, { once: true })
      })
      const work = fn({ ...ctx, signal })
      work.catch(() => {}) // a rejection after the deadline has nobody to report to
      try {
        const outcome = await Promise.race([work, stopped])
        if (outcome === 'stopped') {
          return ctx.signal?.aborted
            ? result(false, 'Aborted before a verdict', { aborted: true })
            : result(false, 'No verdict by the deadline', { deadlineReached: true })
        }
        if (typeof outcome === 'boolean')
          return result(outcome, outcome ? `${name} passed` : `${name} failed`, {})
        return result(
          outcome.passed,
          outcome.message ?? (outcome.passed ? `${name} passed` : `${name} failed`),
          {
            ...outcome.evidence,
          },
        )
      } catch (error) {
        const evidence = errorEvidence(error)
        return result(false, `${name} threw: ${evidence.error}`, evidence)
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort)
      }
    },
  }
}
