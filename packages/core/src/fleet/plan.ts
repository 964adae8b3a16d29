/**
 * What applying a manifest would change, job by job, compared with what runs: create (nothing of that name
 * runs), upgrade (with the differences from the release record and the cluster), resume (a run was
 * interrupted), unchanged, or blocked (with why: an ambiguous name, or the preflight's refusal, such as
 * state the new release would not take). Nothing changes on the cluster but uploading jars whose plan the
 * state check reads.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import { isTerminal } from '../steps/cancel-job.ts'
import { sha256File } from '../steps/upload-release.ts'
import type { ReleaseRecord } from '../store/release-record.ts'
import type { RunStorage } from '../store/run-storage.ts'
import { isFinished } from '../upgrade/run-summary.ts'
import { upgrade } from '../upgrade/run-upgrade.ts'
import { upgradeOptionsOf } from './job-options.ts'
import { type Manifest, type ManifestJob, resolvedJobs } from './manifest.ts'

export type PlannedAction = 'create' | 'upgrade' | 'resume' | 'unchanged' | 'blocked'

export interface JobPlan {
  job: string
  action: PlannedAction
  wave: number
  /** The live job of that name, if one runs. */
  jobId?: string
  /** What differs, for 'upgrade' ("args: [--release v1] → [--release v2]"). */
  changes: string[]
  /** Why, for 'blocked'. */
  reason?: string
}

export interface FleetPlan {
  jobs: JobPlan[]
  /** Whether applying would change anything. */
  pending: boolean
}

export interface FleetRuntime {
  client: FlinkClient
  /** The run state, lock and release record of a job (local files or a shared store); the caller closes it. */
  storageFor(job: string): RunStorage | Promise<RunStorage>
  /** The manifest's folder: jar paths are relative to it. Default the working directory. */
  baseDir?: string
  signal?: AbortSignal
}

export async function plan(manifest: Manifest, runtime: FleetRuntime): Promise<FleetPlan> {
  const { jobs: live } = await runtime.client.jobs.overview({ signal: runtime.signal })
  const jobs = await Promise.all(
    resolvedJobs(manifest).map((job) =>
      planJob(
        job,
        live.filter((j) => j.name === job['job-name'] && !isTerminal(j.state)),
        runtime,
      ),
    ),
  )
  return { jobs, pending: jobs.some((j) => j.action !== 'unchanged') }
}

async function planJob(job: ManifestJob, live: { jid: string }[], runtime: FleetRuntime): Promise<JobPlan> {
  const base = { job: job['job-name'], wave: job.wave ?? 1, changes: [] as string[] }
  const storage = await runtime.storageFor(job['job-name'])
  const stored = await storage.state.read()
  if (stored && !isFinished(stored))
    return { ...base, action: 'resume', changes: [`run ${stored.runId} was interrupted; apply resumes it`] }
  if (live.length > 1)
    return {
      ...base,
      action: 'blocked',
      reason: `${live.length} live jobs are named "${job['job-name']}" (${live.map((j) => j.jid).join(', ')}); stop all but one`,
    }
  if (live.length === 0) return { ...base, action: 'create' }
  const jobId = live[0]!.jid
  const options = upgradeOptionsOf(job, runtime.baseDir ?? process.cwd())
  const record = await storage.releases.read(job['job-name'])
  const changes = await differences(job, options.jar, jobId, record, runtime)
  if (changes.length === 0) return { ...base, action: 'unchanged', jobId }
  const dry = await upgrade({ ...options, dryRun: true }, { client: runtime.client, storage })
  if (dry.outcome !== 'dry-run')
    return { ...base, action: 'blocked', jobId, changes, reason: dry.error?.message ?? dry.summary }
  return { ...base, action: 'upgrade', jobId, changes }
}

/** What the manifest asks for that the running job does not have, per its release record and the cluster. */
async function differences(
  job: ManifestJob,
  jar: string,
  jobId: string,
  record: ReleaseRecord | undefined,
  runtime: FleetRuntime,
): Promise<string[]> {
  if (!record || record.jobId !== jobId)
    return [`job ${jobId} runs without a release record of flink-deploy: its jar and settings are not known`]
  const changes: string[] = []
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v))
  const differ = (what: string, was: unknown, now: unknown) => {
    if (JSON.stringify(was ?? null) !== JSON.stringify(now ?? null))
      changes.push(`${what}: ${show(was)} → ${show(now)}`)
  }
  const jarSha256 = await sha256File(jar)
  if (jarSha256 !== record.jarSha256)
    changes.push(`jar: ${record.jarSha256.slice(0, 12)} → ${jarSha256.slice(0, 12)} (${job.jar})`)
  differ('entry-class', record.entryClass, job['entry-class'])
  differ('args', record.programArgs, job.args ?? [])
  differ('flink-config', record.flinkConfiguration, job['flink-config'])
  if (job.parallelism !== undefined) {
    const details = await runtime.client.jobs.get({ jobid: jobId, signal: runtime.signal })
    const running = Math.max(...details.vertices.map((v) => v.parallelism))
    if (running !== job.parallelism) changes.push(`parallelism: ${running} → ${job.parallelism}`)
  } else differ('parallelism', record.parallelism, undefined)
  return changes
}
