/**
 * Green has worked off the backlog its sources built up while blue was stopped, read from the standard
 * FLIP-27 source metrics (FLIP-33 names): `pendingRecords` summed over the subtasks of every source vertex,
 * and `currentFetchEventTimeLag` / `currentEmitEventTimeLag` (the highest) as evidence. Operator metrics are
 * listed per subtask as `<operator>.<metric>`, the operator's name with ' ', '.', ':' and ',' turned into
 * '_' (`Source__orders.pendingRecords`), so the check looks for ids ending in the metric's name.
 * A source that does not report a backlog (a generator, a file) leaves the check skipped, with the reason.
 */
import type { CallOptions } from '../client/route.ts'
import type { JobDetails } from '../client/schemas/jobs.ts'
import type { Check, CheckContext } from './check.ts'
import { sourceVertices } from './flow-checks.ts'
import { type Evidence, GONE_STATES, type Observation, type PollOptions, pollCheck } from './poll.ts'

export const DEFAULT_CAUGHT_UP_MAX_PENDING = 1_000
export const DEFAULT_CAUGHT_UP_WINDOW_MS = 10_000

/**
 * How long to wait for the first metrics of the sources. The JobManager fetches them from the TaskManagers
 * when asked (at most every `metrics.fetcher.update-interval`); a cluster whose metric query service is
 * unreachable never lists any, and must not fail every upgrade for it.
 */
const NO_METRICS_GRACE_MS = 15_000

const PENDING = 'pendingRecords'
const LAGS = ['currentFetchEventTimeLag', 'currentEmitEventTimeLag'] as const

export interface CaughtUpOptions {
  /** Pass once the sources' pending records are at most this. Default 1000. */
  maxPending?: number
  /** Or once the backlog has fallen, without rising, for this long. Default 10 s. */
  windowMs?: number
  poll?: PollOptions
}

/** What one source vertex reports. */
interface SourceReading {
  vertex: string
  /** How many metric ids Flink lists for the vertex: none yet means its metrics were not fetched yet. */
  listed: number
  pending?: number
  lagsMs: Partial<Record<(typeof LAGS)[number], number>>
  /** A metric answer that is not a number. */
  malformed?: string
}

export function caughtUp(options: CaughtUpOptions = {}): Check {
  const name = 'caught-up'
  const maxPending = options.maxPending ?? DEFAULT_CAUGHT_UP_MAX_PENDING
  const windowMs = options.windowMs ?? DEFAULT_CAUGHT_UP_WINDOW_MS
  return {
    name,
    run: (ctx) => {
      let firstLook: number | undefined
      let atStart: number | undefined
      let previous: number | undefined
      /** Since when (and from which value) the backlog has not risen. */
      let falling: { since: number; from: number } | undefined
      return pollCheck(
        name,
        ctx,
        async (call): Promise<Observation> => {
          const job = await ctx.client.jobs.get({ jobid: ctx.jobId, ...call })
          const readings = await Promise.all(sourceVertices(job).map((v) => readSource(ctx, v, call)))
          const malformed = readings.find((r) => r.malformed)
          if (malformed)
            return { verdict: 'fail', message: malformed.malformed!, evidence: { jobState: job.state } }
          firstLook ??= Date.now()
          if (readings.every((r) => r.listed === 0)) {
            const giveUpAt = Math.min(
              firstLook + NO_METRICS_GRACE_MS,
              ctx.deadline - NO_METRICS_GRACE_MS / 30,
            )
            if (Date.now() >= giveUpAt)
              return {
                verdict: 'pass',
                message: `Skipped: Flink listed no metrics of the sources in ${Date.now() - firstLook} ms`,
                evidence: { skipped: true, reason: 'no source metrics listed', jobState: job.state },
              }
            return {
              verdict: 'wait',
              message: 'Flink lists no metrics of the sources yet',
              evidence: { jobState: job.state },
              recheckAt: giveUpAt,
            }
          }
          const reporting = readings.filter((r) => r.pending !== undefined)
          if (reporting.length === 0)
            return {
              verdict: 'pass',
              message: `Skipped: the sources (${readings.map((r) => r.vertex).join(', ')}) report no ${PENDING} metric`,
              evidence: { skipped: true, reason: `no ${PENDING} metric`, jobState: job.state },
            }
          const pending = reporting.reduce((n, r) => n + r.pending!, 0)
          atStart ??= pending
          const now = Date.now()
          if (previous !== undefined && pending > previous) falling = undefined
          falling ??= { since: now, from: pending }
          previous = pending
          const lags = maxLags(readings)
          const evidence: Evidence = {
            pendingRecords: pending,
            pendingRecordsAtStart: atStart,
            bySource: Object.fromEntries(reporting.map((r) => [r.vertex, r.pending])),
            ...lags,
            maxPending,
            windowMs,
            jobState: job.state,
          }
          const seen = `pending records ${count(pending)} (was ${count(atStart)} at start)${describeLags(lags)}`
          if (pending <= maxPending)
            return { verdict: 'pass', message: `${seen}, at most ${count(maxPending)}`, evidence }
          const fallingMs = now - falling.since
          if (pending < falling.from && fallingMs >= windowMs)
            return {
              verdict: 'pass',
              message: `${seen}, falling for ${fallingMs} ms (from ${count(falling.from)})`,
              evidence: { ...evidence, fallingSince: falling.since },
            }
          if (GONE_STATES.has(job.state))
            return { verdict: 'fail', message: `The job is ${job.state}; ${seen}`, evidence }
          return {
            verdict: 'wait',
            message: `${seen}: above ${count(maxPending)} and not falling for ${windowMs} ms`,
            evidence,
            recheckAt: falling.since + windowMs,
          }
        },
        options.poll,
      )
    },
  }
}

async function readSource(
  ctx: CheckContext,
  vertex: JobDetails['vertices'][number],
  call: CallOptions,
): Promise<SourceReading> {
  const route = { jobid: ctx.jobId, vertexid: vertex.id, ...call }
  const ids = (await ctx.client.vertices.subtasksMetrics(route)).map((m) => m.id)
  const reading: SourceReading = { vertex: vertex.name, listed: ids.length, lagsMs: {} }
  const named = (metric: string) => ids.filter((id) => id === metric || id.endsWith(`.${metric}`))
  const wanted = [PENDING, ...LAGS].flatMap(named)
  if (wanted.length === 0) return reading
  const values = await ctx.client.vertices.subtasksMetrics({
    ...route,
    query: { get: wanted, agg: ['sum', 'max'] },
  })
  for (const id of named(PENDING)) {
    const sum = values.find((m) => m.id === id)?.sum
    if (sum === undefined || !Number.isFinite(sum) || sum < 0) {
      const answer = JSON.stringify(values.find((m) => m.id === id) ?? null)
      return {
        ...reading,
        malformed: `Flink answered ${id} of ${vertex.name} without a record count: ${answer}`,
      }
    }
    reading.pending = (reading.pending ?? 0) + sum
  }
  for (const lag of LAGS) {
    const highest = named(lag)
      .map((id) => values.find((m) => m.id === id)?.max)
      .filter((n): n is number => n !== undefined && Number.isFinite(n) && n >= 0)
    if (highest.length > 0) reading.lagsMs[lag] = Math.max(...highest)
  }
  return reading
}

function maxLags(readings: readonly SourceReading[]): Record<string, number> {
  const lags: Record<string, number> = {}
  for (const lag of LAGS) {
    const values = readings.flatMap((r) => (r.lagsMs[lag] === undefined ? [] : [r.lagsMs[lag]]))
    if (values.length > 0) lags[`${lag}Ms`] = Math.max(...values)
  }
  return lags
}

function describeLags(lags: Record<string, number>): string {
  const parts = LAGS.flatMap((lag) =>
    lags[`${lag}Ms`] === undefined ? [] : [`${lag} ${lags[`${lag}Ms`]} ms`],
  )
  return parts.length > 0 ? `, ${parts.join(', ')}` : ''
}

/** 4310 → "4 310": what a person reads in a report. */
function count(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
}
