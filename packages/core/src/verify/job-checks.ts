/**
 * The checks every upgrade runs on green: it runs, it restored from the savepoint taken, it checkpoints after
 * the restore, and it stays up without restarts or new exceptions for a while.
 */
import { firstLine, rootCause } from '../client/java-stacktrace.ts'
import type { CallOptions } from '../client/route.ts'
import type { JobDetails } from '../client/schemas/jobs.ts'
import type { Check, CheckContext } from './check.ts'
import { type CheckpointTrigger, checkpointTrigger } from './checkpoint-trigger.ts'
import { describeTasks, fullyRunning, jobOverview } from './job-overview.ts'
import { sameSnapshotPath } from './paths.ts'
import { type Evidence, GONE_STATES, type Observation, type PollOptions, pollCheck } from './poll.ts'

/** Vertex name → value; a name used twice gets the start of its id appended. */
export function byVertexName<T>(
  vertices: readonly { id: string; name: string }[],
  value: (index: number) => T,
): Record<string, T> {
  const seen = new Map<string, number>()
  for (const v of vertices) seen.set(v.name, (seen.get(v.name) ?? 0) + 1)
  return Object.fromEntries(
    vertices.map((v, i) => [
      (seen.get(v.name) ?? 0) > 1 ? `${v.name} (${v.id.slice(0, 8)})` : v.name,
      value(i),
    ]),
  )
}

function vertexRunning(v: JobDetails['vertices'][number]): boolean {
  const running = v.tasks.RUNNING
  return v.status === 'RUNNING' && (running === undefined || running >= v.parallelism)
}

function gone(state: string, evidence: Evidence): Observation | undefined {
  if (!GONE_STATES.has(state)) return undefined
  return { verdict: 'fail', message: `The job is ${state}`, evidence }
}

// ---- all vertices running --------------------------------------------------------------------------------

/**
 * The job is RUNNING and every subtask of every vertex is RUNNING, decided from the fresh jobs overview.
 * Evidence: the job state, vertex name → status, and `allRunningAt`: the latest time a subtask entered
 * RUNNING (from the subtask times, or the overview's last change when the cached details lag), which is
 * when green was fully up, for the downtime of the upgrade.
 */
export function allVerticesRunning(options: { poll?: PollOptions } = {}): Check {
  const name = 'all-vertices-running'
  return {
    name,
    run: (ctx) =>
      pollCheck(
        name,
        ctx,
        async (call) => {
          const entry = await jobOverview(ctx, call)
          if (!entry) return { verdict: 'wait', message: 'The job is not listed yet', evidence: {} }
          const evidence: Evidence = { jobState: entry.state, tasks: entry.tasks }
          const ended = gone(entry.state, evidence)
          if (ended) return ended
          if (!fullyRunning(entry))
            return {
              verdict: 'wait',
              message: `The job is ${entry.state}; ${describeTasks(entry)}`,
              evidence,
            }
          const job = await ctx.client.jobs.get({ jobid: ctx.jobId, ...call })
          const vertices = byVertexName(job.vertices, (i) => job.vertices[i]!.status)
          // The details come from Flink's cache; when they still show the deployment, the overview's last
          // change (the latest subtask state change) is when the last subtask started running.
          let allRunningAt = entry['last-modification']
          if (job.vertices.every(vertexRunning)) {
            const times = await Promise.all(
              job.vertices.map((v) =>
                ctx.client.vertices.subtaskTimes({ jobid: ctx.jobId, vertexid: v.id, ...call }),
              ),
            )
            const runningSince = times.flatMap((t) => t.subtasks.map((s) => s.timestamps.RUNNING ?? 0))
            if (runningSince.length > 0) allRunningAt = Math.max(...runningSince)
          }
          return {
            verdict: 'pass',
            message: `The job and its ${job.vertices.length} vertices are RUNNING (${describeTasks(entry)})`,
            evidence: {
              ...evidence,
              vertices,
              ...(allRunningAt > 0 ? { allRunningAt } : {}),
              jobRunningAt: job.timestamps.RUNNING,
            },
          }
        },
        options.poll,
      ),
  }
}

// ---- restored from the savepoint --------------------------------------------------------------------------

export interface RestoredFromSavepointOptions {
  /** The snapshot green must have restored from; default `ctx.savepointPath`. */
  path?: string
  /**
   * Accept a retained checkpoint as well (`is_savepoint` false), for upgrades that fell back to the latest
   * checkpoint because blue could not take a savepoint. Default false.
   */
  allowCheckpoint?: boolean
  poll?: PollOptions
}

/**
 * `latest.restored` of the job's checkpoint statistics names exactly the savepoint taken (spelling
 * differences such as `file:/x` and `file:///x/` aside) and is a savepoint.
 */
export function restoredFromSavepoint(options: RestoredFromSavepointOptions = {}): Check {
  const name = 'restored-from-savepoint'
  return {
    name,
    run: (ctx) => {
      const expected = options.path ?? ctx.savepointPath
      if (!expected) {
        const now = Date.now()
        return Promise.resolve({
          name,
          passed: false,
          message: 'No savepoint path to compare with: the job was not started from a savepoint',
          evidence: { expected: null },
          startedAt: now,
          durationMs: 0,
        })
      }
      return pollCheck(name, ctx, (call) => observeRestore(ctx, call, expected, options), options.poll)
    },
  }
}

async function observeRestore(
  ctx: CheckContext,
  call: CallOptions,
  expected: string,
  options: RestoredFromSavepointOptions,
): Promise<Observation> {
  const stats = await ctx.client.checkpoints.statistics({ jobid: ctx.jobId, ...call })
  const restored = stats.latest.restored
  if (restored) {
    const evidence: Evidence = {
      expected,
      restoredFrom: restored.external_path ?? null,
      isSavepoint: restored.is_savepoint,
      restoredCheckpointId: restored.id,
      restoredAt: restored.restore_timestamp,
      restoreCount: stats.counts.restored,
    }
    const kind = restored.is_savepoint ? 'savepoint' : 'checkpoint'
    if (sameSnapshotPath(restored.external_path, expected)) {
      if (restored.is_savepoint || options.allowCheckpoint)
        return { verdict: 'pass', message: `Restored from the ${kind} ${restored.external_path}`, evidence }
      return {
        verdict: 'fail',
        message: `Restored from ${restored.external_path}, but Flink reports it as a checkpoint, not a savepoint`,
        evidence,
      }
    }
    const restarted =
      stats.counts.restored > 1
        ? ` (the job restored ${stats.counts.restored} times: it restarted since)`
        : ''
    return {
      verdict: 'fail',
      message: `Restored from the ${kind} ${restored.external_path ?? '(no external path)'}, not from ${expected}${restarted}`,
      evidence,
    }
  }
  // Nothing restored (yet): Flink restores before it deploys any task, so a job whose tasks run restored nothing.
  const entry = await jobOverview(ctx, call)
  if (!entry) return { verdict: 'wait', message: 'The job is not listed yet', evidence: { expected } }
  const evidence: Evidence = { expected, restoredFrom: null, jobState: entry.state }
  const ended = gone(entry.state, evidence)
  if (ended) return { ...ended, message: `${ended.message} and restored from nothing` }
  if (entry.state === 'RUNNING' && (entry.tasks.running ?? 0) > 0)
    return {
      verdict: 'fail',
      message: `The job runs without having restored any state; expected the savepoint ${expected}`,
      evidence,
    }
  return { verdict: 'wait', message: `The job is ${entry.state} and has not restored yet`, evidence }
}

// ---- checkpoints after the restore ------------------------------------------------------------------------

/** Long.MAX_VALUE on the wire (Flink's "disabled"), or anything as large. */
const DISABLED_INTERVAL = Number.MAX_SAFE_INTEGER

export interface CheckpointsAfterRestoreOptions {
  /** Completed checkpoints required after the restore. Default 1. */
  count?: number
  /**
   * Trigger the checkpoints through the REST API as soon as every subtask runs, instead of waiting for the
   * periodic ones (Flink 1.17+; older clusters wait for periodic checkpoints). Never when checkpointing is
   * disabled: a job that cannot checkpoint on its own still fails. Default false.
   */
  trigger?: boolean
  poll?: PollOptions
}

/**
 * At least `count` checkpoints (not savepoints) completed that were triggered after the restore, or after the
 * job started when it did not restore. Counts what the checkpoint history holds (Flink keeps the last 10 by
 * default, `web.checkpoints.history`), plus the checkpoints triggered here that Flink reported complete (the
 * statistics lag them by up to `web.refresh-interval`). Fails at once when checkpointing is disabled or the
 * job ends.
 */
export function checkpointsAfterRestore(options: CheckpointsAfterRestoreOptions = {}): Check {
  const name = 'checkpoints-after-restore'
  const count = options.count ?? 1
  return {
    name,
    run: (ctx) => {
      let interval: number | undefined
      const trigger = options.trigger ? checkpointTrigger(ctx) : undefined
      const decided = pollCheck(
        name,
        ctx,
        async (call) => {
          const [stats, entry] = await Promise.all([
            ctx.client.checkpoints.statistics({ jobid: ctx.jobId, ...call }),
            jobOverview(ctx, call),
          ])
          if (!entry) return { verdict: 'wait', message: 'The job is not listed yet', evidence: {} }
          interval ??= (await ctx.client.checkpoints.config({ jobid: ctx.jobId, ...call })).interval
          const disabled = interval <= 0 || interval >= DISABLED_INTERVAL
          if (trigger && !disabled && fullyRunning(entry)) trigger.start(count)
          const restored = stats.latest.restored
          const after = restored?.restore_timestamp ?? entry['start-time']
          const listed = [stats.latest.completed, ...stats.history].filter((c) => c != null)
          const ids = new Set<number>()
          const completed = listed
            .filter(
              (c) =>
                c.status === 'COMPLETED' &&
                !c.is_savepoint &&
                c.trigger_timestamp > after &&
                !ids.has(c.id) &&
                ids.add(c.id),
            )
            .map((c) => c.id)
          // The statistics are cached for seconds; Flink's answer to the trigger is not. A checkpoint triggered
          // once every subtask ran, with an id above the one restored (ids continue from it), was taken by this
          // job after its restore.
          for (const id of trigger?.completedIds() ?? [])
            if (id > (restored?.id ?? -1) && !ids.has(id)) {
              ids.add(id)
              completed.push(id)
            }
          const failed = stats.history.filter((c) => c.status === 'FAILED' && c.trigger_timestamp > after)
          const triggered = trigger?.evidence()
          const evidence: Evidence = {
            since: after,
            sinceWhat: restored ? 'restore' : 'job start',
            required: count,
            completedAfterRestore: completed.sort((a, b) => a - b),
            ...(restored ? { restoredCheckpointId: restored.id } : {}),
            failedAfterRestore: failed.length,
            ...(failed[0]?.failure_message ? { latestFailure: failed[0].failure_message } : {}),
            ...(triggered ? { triggered } : {}),
            jobState: entry.state,
          }
          if (completed.length >= count)
            return {
              verdict: 'pass',
              message: `${completed.length} checkpoint(s) completed after the ${evidence.sinceWhat}${describeTriggered(completed, trigger)}`,
              evidence,
            }
          const ended = gone(entry.state, evidence)
          if (ended) return ended
          if (disabled)
            return { verdict: 'fail', message: 'Checkpointing is disabled for this job', evidence }
          return {
            verdict: 'wait',
            message: `${completed.length} of ${count} checkpoint(s) completed after the ${evidence.sinceWhat}${failed.length ? `, ${failed.length} failed` : ''}${triggerFailure(trigger)}`,
            evidence: { ...evidence, checkpointIntervalMs: interval },
          }
        },
        // A triggered checkpoint completes within tens of ms: look again soon rather than up to a second later.
        trigger ? { maxMs: 250, ...options.poll } : options.poll,
      )
      return decided.finally(() => trigger?.stop())
    },
  }
}

/** For the report: which of the counted checkpoints flink-deploy triggered, or what became of its trigger. */
function describeTriggered(completed: number[], trigger: CheckpointTrigger | undefined): string {
  const triggered = trigger?.evidence()
  if (!trigger || !triggered || triggered.unsupported) return ''
  const mine = trigger.completedIds()
  const counted = completed.filter((id) => mine.includes(id))
  if (counted.length > 0)
    return ` (checkpoint${counted.length > 1 ? 's' : ''} ${counted.join(', ')} triggered by flink-deploy)`
  if (mine.length > 0) return `; flink-deploy also triggered checkpoint ${mine.join(', ')}`
  return '; a checkpoint triggered by flink-deploy had not completed yet'
}

/** Why a triggered checkpoint did not help, for the message of a check still waiting. */
function triggerFailure(trigger: CheckpointTrigger | undefined): string {
  const failed = trigger?.failure()
  return failed ? `; the checkpoint triggered by flink-deploy failed: ${failed}` : ''
}

// ---- stable for a window ----------------------------------------------------------------------------------

export interface StableForOptions {
  /** How long the job must stay up without restarts or new exceptions. */
  windowMs: number
  /**
   * `first-look` (default): the window starts when the check starts; restarts and exceptions from before are
   * the baseline. `job-start`, for a job just submitted: the window starts as soon as the job is seen RUNNING
   * (right after its restore), so it can run beside the other checks; until then the check waits, and any
   * restart or exception since the job was submitted fails it.
   */
  since?: 'first-look' | 'job-start'
  /** Default: first look after 50 ms, then every 500 ms at most, so a failure is seen within half a second. */
  poll?: PollOptions
}

interface Baseline {
  restartingAt: number
  latestExceptionAt: number
  exceptionCount: number
  numRestarts: number | undefined
}

/**
 * The job stays RUNNING for `windowMs` without a restart and without a new entry in its exception history.
 * A restart is seen from the RESTARTING timestamp of the job (immediate), the exception history, and the
 * `numRestarts` metric when the metric store has it (it lags by up to `metrics.fetcher.update-interval`).
 * Fails as soon as one of them changes, with the exception's class and first line as evidence.
 */
export function stableFor(options: StableForOptions): Check {
  const name = 'stable-for'
  const { windowMs } = options
  const fromJobStart = options.since === 'job-start'
  return {
    name,
    run: async (ctx) => {
      const startedAt = Date.now()
      if (startedAt + windowMs > ctx.deadline) {
        return {
          name,
          passed: false,
          message: `The stabilisation window of ${windowMs} ms does not fit before the deadline (${Math.max(0, ctx.deadline - startedAt)} ms left)`,
          evidence: { windowMs, deadline: ctx.deadline },
          startedAt,
          durationMs: 0,
        }
      }
      // A job just submitted has no restarts and no exceptions: anything in its history happened since.
      let baseline: Baseline | undefined = fromJobStart
        ? { restartingAt: 0, latestExceptionAt: 0, exceptionCount: 0, numRestarts: 0 }
        : undefined
      let windowStartedAt: number | undefined = fromJobStart ? undefined : startedAt
      /** The overview's last subtask state change when the window started (job-start mode). */
      let lastChange: number | undefined
      return pollCheck(
        name,
        ctx,
        async (call) => {
          // Fresh first: once the job runs, the cached routes below are read after it and cannot be older.
          const entry = fromJobStart ? await jobOverview(ctx, call) : undefined
          const deploying = !entry || (!fullyRunning(entry) && !GONE_STATES.has(entry.state))
          if (fromJobStart && windowStartedAt === undefined && deploying)
            return {
              verdict: 'wait',
              message: `The job is ${entry?.state ?? 'not listed yet'}; the window starts when it runs`,
              evidence: { windowMs, since: 'job start' },
            }
          const [job, exceptions, numRestarts] = await Promise.all([
            ctx.client.jobs.get({ jobid: ctx.jobId, ...call }),
            ctx.client.jobs.exceptions({ jobid: ctx.jobId, query: { maxExceptions: 10 }, ...call }),
            readNumRestarts(ctx, call),
          ])
          const entries = exceptions.exceptionHistory.entries
          const latestExceptionAt = Math.max(0, ...entries.map((e) => e.timestamp))
          const restartingAt = job.timestamps.RESTARTING ?? 0
          if (!baseline) {
            baseline = { restartingAt, latestExceptionAt, exceptionCount: entries.length, numRestarts }
          }
          const fresh = entries
            .filter((e) => e.timestamp > baseline!.latestExceptionAt)
            .sort((a, b) => a.timestamp - b.timestamp)
          // The job details may be cached from before the job ran; the overview says whether it runs now.
          const state = entry?.state ?? job.state
          const first = fresh[0] ?? (state !== 'RUNNING' ? entries[0] : undefined)
          const evidence: Evidence = {
            windowMs,
            ...(fromJobStart ? { since: 'job start' } : {}),
            ...(windowStartedAt !== undefined ? { windowStartedAt } : {}),
            jobState: state,
            ...(entry ? { tasks: entry.tasks } : {}),
            numRestartsAtStart: baseline.numRestarts ?? null,
            numRestarts: numRestarts ?? null,
            newExceptions: fresh.length,
            ...(first
              ? {
                  exception: {
                    name: first.exceptionName,
                    message: firstLine(first.stacktrace),
                    ...(rootCause(first.stacktrace) ? { rootCause: rootCause(first.stacktrace) } : {}),
                    timestamp: first.timestamp,
                    ...(first.taskName ? { taskName: first.taskName } : {}),
                  },
                }
              : {}),
          }
          const because = first ? `: ${describeException(first.stacktrace)}` : ''
          if (state !== 'RUNNING')
            return {
              verdict: 'fail',
              message: `The job left RUNNING: it is ${state}${because}`,
              evidence,
            }
          if (entry && lastChange !== undefined && !fullyRunning(entry))
            return {
              verdict: 'fail',
              message: `Subtasks stopped running: ${describeTasks(entry)}${because}`,
              evidence,
            }
          // Any subtask state change after all ran is a subtask that failed, restarted or ended.
          if (entry && lastChange !== undefined && entry['last-modification'] > lastChange)
            return {
              verdict: 'fail',
              message: `A subtask changed state at ${new Date(entry['last-modification']).toISOString()} (a failure or restart)${because}`,
              evidence,
            }
          if (restartingAt > baseline.restartingAt)
            return { verdict: 'fail', message: `The job restarted${because}`, evidence }
          if (
            numRestarts !== undefined &&
            baseline.numRestarts !== undefined &&
            numRestarts > baseline.numRestarts
          )
            return {
              verdict: 'fail',
              message: `The job restarted ${numRestarts - baseline.numRestarts} time(s)${because}`,
              evidence,
            }
          if (fresh.length > 0) return { verdict: 'fail', message: `New exception${because}`, evidence }
          const now = Date.now()
          windowStartedAt ??= now
          if (entry) lastChange ??= entry['last-modification']
          const windowEndsAt = windowStartedAt + windowMs
          if (now >= windowEndsAt)
            return {
              verdict: 'pass',
              message: `Stable for ${now - windowStartedAt} ms: no restart, no new exception`,
              evidence: { ...evidence, windowStartedAt },
            }
          return {
            verdict: 'wait',
            message: `Stable so far (${now - windowStartedAt} of ${windowMs} ms)`,
            evidence: { ...evidence, windowStartedAt },
            recheckAt: windowEndsAt,
          }
        },
        { maxMs: 500, ...options.poll },
      )
    },
  }
}

async function readNumRestarts(ctx: CheckContext, call: CallOptions): Promise<number | undefined> {
  const metrics = await ctx.client.jobs.metrics({
    jobid: ctx.jobId,
    query: { get: ['numRestarts'] },
    ...call,
  })
  const value = metrics.find((m) => m.id === 'numRestarts')?.value
  const n = value === undefined ? Number.NaN : Number(value)
  return Number.isFinite(n) ? n : undefined
}

/** For people: the root cause first (what failed), then the wrapper Flink put around it. */
function describeException(stacktrace: string): string {
  const top = firstLine(stacktrace)
  const root = rootCause(stacktrace)
  return root ? `${root} (reported as ${top})` : top
}
