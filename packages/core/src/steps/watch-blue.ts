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
import type { JobExceptions } from '../client/schemas/jobs.ts'
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
    const [job, history] = await Promise.all([
      client.jobs.get({ jobid: input.jobId, signal }),
      client.jobs.exceptions({ jobid: input.jobId, signal, query: { maxExceptions: 20 } }),
    ])
    const recent = failuresSince(history, input.since)
    if (recent.length !== failures) {
      failures = recent.length
      quietSince = Date.now()
    }
    const running = job.state === 'RUNNING' && job.vertices.every((v) => v.status === 'RUNNING')
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

function failuresSince(history: JobExceptions, since: number): string[] {
  return history.exceptionHistory.entries
    .filter((e) => e.timestamp >= since)
    .map((e) => innermostCause(e.stacktrace) ?? e.exceptionName)
}
