/**
 * When a job reached a terminal status, by Flink's own clock, from the jobs overview: the JobManager answers
 * it fresh, while the job details come from a cache that shows the job running for up to
 * `web.refresh-interval` (3 s) after it ended. Polls until the job is listed as ended, within a bound;
 * undefined when it never shows.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient } from '../client/flink-client.ts'
import type { JobStatus } from '../client/schemas/common.ts'

export async function terminalAt(
  client: FlinkClient,
  jobId: string,
  statuses: JobStatus[],
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<number | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000)
  const { signal } = options
  for (let wait = 20; Date.now() < deadline; wait = Math.min(wait * 1.6, 250)) {
    const overview = await client.jobs.overview({ signal }).catch(() => undefined)
    const job = overview?.jobs.find((j) => j.jid === jobId)
    if (job && statuses.includes(job.state) && job['end-time'] > 0) return job['end-time']
    await sleep(wait, undefined, { signal })
  }
  return undefined
}
