/**
 * When a job reached a terminal status, by Flink's own clock. The job details answer from a cache that can
 * lag the job by a few seconds (GET /jobs/:jobid may still say RUNNING when /status says FINISHED), so this
 * polls the details until their timestamp is set, within a bound; undefined when it never shows.
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
  for (let wait = 50; Date.now() < deadline; wait = Math.min(wait * 1.6, 1_000)) {
    const job = await client.jobs.get({ jobid: jobId, signal }).catch(() => undefined)
    const at = statuses.map((s) => job?.timestamps[s] ?? 0).find((t) => t > 0)
    if (at) return at
    await sleep(wait, undefined, { signal })
  }
  return undefined
}
