/**
 * Runs a manifest's plan: each job that would change is a normal upgrade (or the resume of its interrupted
 * run) with its own state, lock and events, in waves (lowest first) of at most `concurrency` jobs at once. A
 * failure stops the waves after it unless `continueOnFailure`; a cancellation stops every running job at its
 * next safe point and starts no other.
 */
import type { UpgradeEmitted } from '../machines/upgrade-setup.ts'
import type { NotifyOptions, UpgradeOptions } from '../upgrade/options.ts'
import type { UpgradeResult } from '../upgrade/result.ts'
import { resume, upgrade } from '../upgrade/run-upgrade.ts'
import { upgradeOptionsOf } from './job-options.ts'
import { type Manifest, resolvedJobs } from './manifest.ts'
import { type FleetPlan, type FleetRuntime, type JobPlan, plan } from './plan.ts'

export interface ApplyRuntime extends FleetRuntime {
  /** Jobs upgraded at once within a wave (default 3). */
  concurrency?: number
  /** Run later waves even after a job failed (default false). */
  continueOnFailure?: boolean
  /** Every event of every job, with the job's name. */
  onEvent?: (job: string, event: UpgradeEmitted) => void
  /** Called as a job starts and as it ends. */
  onJob?: (job: string, phase: 'started' | 'ended', result?: JobApplied) => void
  /** Who takes each job's lock. */
  owner?: string
  /**
   * Webhooks every job's run tells when it ends, besides the job's own `notify` (whose secret and steps
   * win): set where secrets live (the CLI's environment, the Action's inputs), not in the manifest.
   */
  notify?: NotifyOptions
}

export type AppliedStatus = 'changed' | 'unchanged' | 'failed' | 'skipped'

export interface JobApplied extends JobPlan {
  /** changed: the release went out; failed: it did not (see result/error); skipped: a failure stopped its wave. */
  status: AppliedStatus
  result?: UpgradeResult
  error?: { code: string; message: string }
}

export interface FleetResult {
  plan: FleetPlan
  jobs: JobApplied[]
  /** Every job that was to change did. */
  ok: boolean
}

export async function apply(manifest: Manifest, runtime: ApplyRuntime): Promise<FleetResult> {
  const planned = await plan(manifest, runtime)
  const specs = new Map(resolvedJobs(manifest).map((j) => [j['job-name'], j]))
  const results = new Map<string, JobApplied>()
  let stopped = false
  for (const wave of [...new Set(planned.jobs.map((j) => j.wave))].sort((a, b) => a - b)) {
    const jobs = planned.jobs.filter((j) => j.wave === wave)
    await inParallel(jobs, runtime.concurrency ?? 3, async (job) => {
      if (stopped || runtime.signal?.aborted || job.action === 'unchanged') {
        results.set(job.job, { ...job, status: job.action === 'unchanged' ? 'unchanged' : 'skipped' })
        return
      }
      runtime.onJob?.(job.job, 'started')
      const applied = await applyJob(
        job,
        withFleetNotify(
          upgradeOptionsOf(specs.get(job.job)!, runtime.baseDir ?? process.cwd()),
          runtime.notify,
        ),
        runtime,
      )
      results.set(job.job, applied)
      runtime.onJob?.(job.job, 'ended', applied)
    })
    if ([...results.values()].some((r) => r.status === 'failed') && !runtime.continueOnFailure) stopped = true
  }
  const jobs = planned.jobs.map((j) => results.get(j.job)!)
  return { plan: planned, jobs, ok: jobs.every((j) => j.status === 'changed' || j.status === 'unchanged') }
}

async function applyJob(
  job: JobPlan,
  options: ReturnType<typeof upgradeOptionsOf>,
  runtime: ApplyRuntime,
): Promise<JobApplied> {
  if (job.action === 'blocked')
    return { ...job, status: 'failed', error: { code: 'BLOCKED', message: job.reason ?? 'blocked' } }
  const storage = await runtime.storageFor(job.job)
  const jobRuntime = {
    client: runtime.client,
    storage,
    ...(runtime.owner ? { owner: runtime.owner } : {}),
    ...(runtime.signal ? { signal: runtime.signal } : {}),
    onEvent: (event: UpgradeEmitted) => runtime.onEvent?.(job.job, event),
    // A resumed run's state holds no webhooks: they are given again.
    ...(options.notify ? { notify: options.notify } : {}),
  }
  try {
    const result = job.action === 'resume' ? await resume(jobRuntime) : await upgrade(options, jobRuntime)
    const changed = result.outcome === 'upgraded'
    return {
      ...job,
      status: changed ? 'changed' : 'failed',
      result,
      ...(result.error ? { error: result.error } : {}),
    }
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'UNEXPECTED'
    return {
      ...job,
      status: 'failed',
      error: { code, message: error instanceof Error ? error.message : String(error) },
    }
  }
}

function withFleetNotify(options: UpgradeOptions, fleet: NotifyOptions | undefined): UpgradeOptions {
  if (!fleet?.urls?.length) return options
  const own = options.notify
  return {
    ...options,
    notify: {
      urls: [...fleet.urls, ...(own?.urls ?? [])],
      secret: own?.secret ?? fleet.secret,
      steps: own?.steps ?? fleet.steps,
    },
  }
}

/** One line per job for a summary table or JSON output: what was done, what runs, where to recover from. */
export function appliedRows(result: FleetResult) {
  return result.jobs.map((j) => ({
    job: j.job,
    wave: j.wave,
    action: j.action,
    status: j.status,
    outcome: j.result?.outcome,
    jobId: j.result?.greenJobId ?? j.jobId,
    savepointPath: j.result?.savepointPath,
    error: j.error,
  }))
}

/** Runs `work` for every item, at most `limit` at once. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!)
  })
  await Promise.all(lanes)
}
