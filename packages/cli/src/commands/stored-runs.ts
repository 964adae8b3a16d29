/**
 * What a shared state store knows of each job, for `status`: the last run (where it stands, its jobs, the
 * savepoint to recover from), the lock holder and the release a rollback would run. Any machine that points at
 * the same store sees the same.
 */
import {
  JOBS_PREFIX,
  jobKey,
  jobsInListing,
  type LockHolder,
  objectRunStorage,
  type ReleaseRecord,
  type RunSummary,
  readLeaseHolder,
  summariseRun,
} from '@flink-deploy/core'
import { type CommandContext, value } from '../context.ts'
import { openStoreOf } from '../storage.ts'

export interface StoredJob {
  job: string
  run?: RunSummary
  lock?: LockHolder
  release?: Pick<
    ReleaseRecord,
    'jobId' | 'jarSha256' | 'programArgs' | 'deployedAt' | 'savepointPath' | 'flinkUrl'
  >
}

export async function storedJobs(ctx: CommandContext, url: string): Promise<StoredJob[]> {
  const objects = await openStoreOf(ctx, url)
  try {
    const only = value<string>(ctx, 'jobName') ?? value<string>(ctx, 'jobId')
    const jobs = only ? [only] : jobsInListing(await objects.list(JOBS_PREFIX))
    return await Promise.all(
      jobs.map(async (job): Promise<StoredJob> => {
        const storage = objectRunStorage(objects, { job })
        const [run, lock, release] = await Promise.all([
          storage.state.read(),
          readLeaseHolder(objects, jobKey(job, 'lock.json')),
          storage.releases.read(job),
        ])
        return {
          job,
          ...(run ? { run: summariseRun(run) } : {}),
          ...(lock ? { lock } : {}),
          ...(release
            ? {
                release: {
                  jobId: release.jobId,
                  jarSha256: release.jarSha256,
                  programArgs: release.programArgs,
                  deployedAt: release.deployedAt,
                  ...(release.savepointPath ? { savepointPath: release.savepointPath } : {}),
                  ...(release.flinkUrl ? { flinkUrl: release.flinkUrl } : {}),
                },
              }
            : {}),
        }
      }),
    )
  } finally {
    await objects.close()
  }
}

/** Lines for people, under the cluster's own status. */
export function storedJobLines(url: string, jobs: StoredJob[]): string[] {
  const lines = ['', `Runs in ${url}`]
  if (jobs.length === 0) lines.push('  none')
  for (const { job, run, lock, release } of jobs) {
    lines.push(`  ${job}`)
    if (run) {
      const where = run.status === 'done' ? `ended ${run.outcome ?? run.step}` : `in progress at ${run.step}`
      lines.push(`    last run     ${run.runId} (${run.machine}): ${where}, updated ${run.updatedAt}`)
      const on = (cluster: string | undefined) => (cluster ? ` on ${cluster}` : '')
      if (run.blueJobId) lines.push(`    blue job     ${run.blueJobId}${on(run.clusters?.blue)}`)
      if (run.greenJobId) lines.push(`    green job    ${run.greenJobId}${on(run.clusters?.green)}`)
      if (run.savepointPath) lines.push(`    savepoint    ${run.savepointPath}`)
      if (run.handover)
        lines.push(
          `    hand-over    ${run.handover.phase}${run.handover.cutoverMillis === undefined ? '' : `, T = ${run.handover.cutoverMillis}`} (${run.handover.path})`,
        )
      if (run.error)
        lines.push(`    error        ${run.error.code} in ${run.error.step}: ${run.error.message}`)
    } else lines.push('    last run     none stored')
    lines.push(
      lock
        ? `    lock         held by ${lock.owner} (pid ${lock.pid} on ${lock.hostname}) since ${lock.acquiredAt}, lease until ${lock.leaseExpiresAt}`
        : '    lock         free',
    )
    if (release)
      lines.push(
        `    release      job ${release.jobId}${release.flinkUrl ? ` on ${release.flinkUrl}` : ''}, deployed ${release.deployedAt}`,
      )
  }
  return lines
}
