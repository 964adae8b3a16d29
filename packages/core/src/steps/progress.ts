/**
 * Progress of the steps that grow with the state: a savepoint (subtasks acknowledged and bytes written, from
 * the in-progress entry of the job's checkpoint statistics) and a restore (subtasks still INITIALIZING against
 * those RUNNING). Watched beside the step, reported only when something changed; best effort: a failed or
 * malformed poll is skipped, never the step's failure.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient } from '../client/flink-client.ts'

/** How often a long step's progress is polled, unless the run says otherwise. */
export const PROGRESS_POLL_MS = 1_000

export interface SavepointProgress {
  type: 'savepoint-progress'
  jobId: string
  checkpointId: number
  acknowledged: number
  subtasks: number
  /** Bytes written so far (checkpointed_size, else state_size). */
  bytes: number
  at: number
}

export interface RestoreProgress {
  type: 'restore-progress'
  role: 'green' | 'blue'
  jobId: string
  initializing: number
  running: number
  subtasks: number
  at: number
}

export type Progress = SavepointProgress | RestoreProgress

interface Watch {
  intervalMs: number
  report: (progress: Progress) => void
}

/** Runs `step`, with `watch` polling beside it until the step ends. */
export async function withProgress<T>(
  step: () => Promise<T>,
  watch: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): Promise<T> {
  const done = new AbortController()
  const watching = watch(AbortSignal.any([signal, done.signal])).catch(() => undefined)
  try {
    return await step()
  } finally {
    done.abort()
    await watching
  }
}

export async function watchSavepoint(
  client: FlinkClient,
  input: Watch & { jobId: string },
  signal: AbortSignal,
): Promise<void> {
  let last = ''
  await everyInterval(input.intervalMs, signal, async () => {
    const stats = await client.checkpoints.statistics({ jobid: input.jobId, signal })
    const running = stats.history
      .filter((c) => c.is_savepoint && c.status === 'IN_PROGRESS')
      .sort((a, b) => b.id - a.id)[0]
    if (!running) return false
    const progress: SavepointProgress = {
      type: 'savepoint-progress',
      jobId: input.jobId,
      checkpointId: running.id,
      acknowledged: running.num_acknowledged_subtasks,
      subtasks: running.num_subtasks,
      bytes: running.checkpointed_size ?? running.state_size ?? 0,
      at: Date.now(),
    }
    const key = `${progress.checkpointId}/${progress.acknowledged}/${progress.bytes}`
    if (key !== last) input.report(progress)
    last = key
    return false
  })
}

/**
 * Until every subtask of the job runs. Read from the jobs overview, which Flink does not cache: job details are
 * cached for `web.refresh-interval`, and a snapshot taken while green initialises would be served to the next
 * reader (preflight of the next upgrade among them) as if it were current.
 */
export async function watchRestore(
  client: FlinkClient,
  input: Watch & { jobId: string; role: 'green' | 'blue' },
  signal: AbortSignal,
): Promise<void> {
  let last = ''
  await everyInterval(input.intervalMs, signal, async () => {
    const job = (await client.jobs.overview({ signal })).jobs.find((j) => j.jid === input.jobId)
    if (!job) return false
    const progress: RestoreProgress = {
      type: 'restore-progress',
      role: input.role,
      jobId: input.jobId,
      initializing: job.tasks.initializing ?? 0,
      running: job.tasks.running ?? 0,
      subtasks: job.tasks.total ?? 0,
      at: Date.now(),
    }
    const key = `${progress.initializing}/${progress.running}/${progress.subtasks}`
    if (key !== last) input.report(progress)
    last = key
    return progress.subtasks > 0 && progress.running === progress.subtasks
  })
}

/** Calls `poll` every `intervalMs` until it says it is finished or `signal` aborts; failed polls are skipped. */
async function everyInterval(
  intervalMs: number,
  signal: AbortSignal,
  poll: () => Promise<boolean>,
): Promise<void> {
  while (!signal.aborted) {
    const finished = await poll().catch(() => false)
    if (finished) return
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined)
  }
}
