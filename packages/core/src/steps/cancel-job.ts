/**
 * Cancels a job and waits until it is terminal. Safe to repeat: a job that is already terminal, or that the
 * cluster no longer knows, counts as cancelled.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient } from '../client/flink-client.ts'
import type { JobStatus } from '../client/schemas/common.ts'
import { FlinkApiError, FlinkOperationTimeoutError, isJobNotFound } from '../errors.ts'

const TERMINAL: ReadonlySet<JobStatus> = new Set(['CANCELED', 'FINISHED', 'FAILED', 'SUSPENDED'])

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status)
}

export async function cancelJob(
  client: FlinkClient,
  jobId: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ finalStatus: JobStatus | 'UNKNOWN' }> {
  try {
    await client.jobs.cancel({ jobid: jobId, query: { mode: 'cancel' }, signal: options.signal })
  } catch (error) {
    if (!(isJobNotFound(error) || (error instanceof FlinkApiError && error.status === 409))) throw error
  }
  return { finalStatus: await waitForTerminal(client, jobId, options) }
}

/**
 * Cancels a job that had ended and runs again: a JobManager that failed over after the job stopped can
 * recover it from its HA store. Returns whether it had to.
 */
export async function cancelIfRecovered(
  client: FlinkClient,
  jobId: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<boolean> {
  const status = await client.jobs
    .status({ jobid: jobId, signal: options.signal })
    .catch((error: unknown) => {
      if (isJobNotFound(error)) return undefined
      throw error
    })
  if (!status || isTerminal(status.status)) return false
  await cancelJob(client, jobId, options)
  return true
}

export async function waitForTerminal(
  client: FlinkClient,
  jobId: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<JobStatus | 'UNKNOWN'> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  for (let wait = 20; ; wait = Math.min(wait * 1.6, 1_000)) {
    const status = await client.jobs
      .status({ jobid: jobId, signal: options.signal })
      .catch((error: unknown) => {
        if (isJobNotFound(error)) return undefined
        throw error
      })
    if (!status) return 'UNKNOWN'
    if (isTerminal(status.status)) return status.status
    if (Date.now() > deadline)
      throw new FlinkOperationTimeoutError(`cancellation of job ${jobId}`, jobId, options.timeoutMs ?? 60_000)
    await sleep(wait, undefined, { signal: options.signal })
  }
}
