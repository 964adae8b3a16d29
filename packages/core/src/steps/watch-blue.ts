/**
 * Blue after a failed savepoint. A savepoint that throws in a task (Flink 2.x refusing a canonical savepoint
 * of async state, a failing snapshot) fails that task: the job restarts, or with no restart left it fails.
 * A restart is quick and may keep the job RUNNING (region failover), so one look right after the failure
 * says nothing: blue is watched until it has settled, running with no new failure for a window, or ended.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient } from '../client/flink-client.ts'
import { innermostCause } from '../client/java-stacktrace.ts'
import type { JobStatus } from '../client/schemas/common.ts'
import type { JobExceptions, JobOverview } from '../client/schemas/jobs.ts'
import { isTerminal } from './cancel-job.ts'

export interface WatchBlueInput {
  jobId: string
  /** Epoch ms the savepoint was triggered: failures from then on are the savepoint's doing. */
  since: number
  /** How long blue must run with no new failure to count as settled. */
  settleMs: number
  /** Epoch ms after which blue is reported as it is, settled or not. */
  deadline: number
  poll?: { initialMs: number; maxMs: number }
}

export interface BlueAfterSavepoint {
  /**
   * healthy: running, no failure since the savepoint. restarted: it failed and restarted, and runs again.
   * restarting: still failing or restarting when the watch ended. ended: it reached a terminal state.
   */
  condition: 'healthy' | 'restarted' | 'restarting' | 'ended'
  state: JobStatus
  /** Failures recorded by Flink since the savepoint was triggered. */
  failures: number
  /** Those failures, newest first, as "<class>: <message>" of their innermost cause. */
  exceptions: string[]
  watchedMs: number
}

export async function watchBlue(
  client: FlinkClient,
  input: WatchBlueInput,
  signal?: AbortSignal,
): Promise<BlueAfterSavepoint> {
  const started = Date.now()
  const poll = input.poll ?? { initialMs: 100, maxMs: 1_000 }
  let wait = poll.initialMs
  let failures = -1
  let quietSince = Date.now()
  for (;;) {
    // The state from the fresh overview; the failures only the exception history has, which Flink caches for
    // up to `web.refresh-interval`, so a failure can show that much later: the settle window absorbs it.
    const [job, history] = await Promise.all([
      listedJob(client, input.jobId, signal),
      client.jobs.exceptions({ jobid: input.jobId, signal, query: { maxExceptions: 20 } }),
    ])
    const recent = failuresSince(history, input.since)
    if (recent.length !== failures) {
      failures = recent.length
      quietSince = Date.now()
    }
    const running = job.state === 'RUNNING' && (job.tasks.running ?? 0) >= (job.tasks.total ?? 0)
    if (!running) quietSince = Date.now()
    const report = (condition: BlueAfterSavepoint['condition']): BlueAfterSavepoint => ({
      condition,
      state: job.state,
      failures,
      exceptions: recent,
      watchedMs: Date.now() - started,
    })
    if (isTerminal(job.state)) return report('ended')
    if (running && Date.now() - quietSince >= input.settleMs)
      return report(failures === 0 ? 'healthy' : 'restarted')
    const left = input.deadline - Date.now()
    if (left <= 0) return report('restarting')
    await sleep(Math.min(wait, left), undefined, { signal })
    wait = Math.min(wait * 1.6, poll.maxMs)
  }
}

/** The job's line in the jobs overview; a job the cluster does not know fails as its details would (404). */
async function listedJob(client: FlinkClient, jobId: string, signal?: AbortSignal): Promise<JobOverview> {
  const listed = (await client.jobs.overview({ signal })).jobs.find((j) => j.jid === jobId)
  if (listed) return listed
  await client.jobs.get({ jobid: jobId, signal })
  throw new Error(`job ${jobId} is not in the jobs overview`)
}

function failuresSince(history: JobExceptions, since: number): string[] {
  return history.exceptionHistory.entries
    .filter((e) => e.timestamp >= since)
    .map((e) => innermostCause(e.stacktrace) ?? e.exceptionName)
}
