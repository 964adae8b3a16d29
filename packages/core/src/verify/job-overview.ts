/**
 * A job's line in GET /jobs/overview: its state and how many of its subtasks are in each state, read fresh
 * from the JobManager. The per-job routes (job details, exceptions, vertices, checkpoint statistics) answer
 * from a cache that Flink refreshes every `web.refresh-interval` (3 s by default): a job seen there as still
 * deploying stays so for seconds after it runs. The checks decide from this line instead, and call the cached
 * routes only once the job runs (for names and evidence).
 */
import type { CallOptions } from '../client/route.ts'
import type { JobOverview } from '../client/schemas/jobs.ts'
import type { CheckContext } from './check.ts'

export async function jobOverview(ctx: CheckContext, call: CallOptions): Promise<JobOverview | undefined> {
  const { jobs } = await ctx.client.jobs.overview(call)
  const entry = jobs.find((j) => j.jid === ctx.jobId)
  // Not listed: the details route answers 404 for an unknown job (the status route a 500); else look again.
  if (!entry) await ctx.client.jobs.get({ jobid: ctx.jobId, ...call })
  return entry
}

/** Every subtask of the job is RUNNING, and the job too. */
export function fullyRunning(entry: JobOverview): boolean {
  const total = entry.tasks.total ?? 0
  return entry.state === 'RUNNING' && total > 0 && (entry.tasks.running ?? 0) >= total
}

/** "3 of 4 subtasks running" */
export function describeTasks(entry: JobOverview): string {
  return `${entry.tasks.running ?? 0} of ${entry.tasks.total ?? 0} subtasks running`
}
