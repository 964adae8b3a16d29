/**
 * Finds the running job an upgrade replaces ("blue"): by id, or by name among the jobs that have not
 * ended. None is a first deployment; more than one, or one that is not healthy, stops the upgrade.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import type { JobDetails } from '../client/schemas/jobs.ts'
import { isJobNotFound, PreflightFailedError } from '../errors.ts'
import { isTerminal } from '../steps/cancel-job.ts'

export type BlueSelector = { jobName: string; jobId?: undefined } | { jobId: string; jobName?: undefined }

export async function findBlueJob(
  client: FlinkClient,
  selector: BlueSelector,
  signal?: AbortSignal,
  /** Accept a blue that is live but not healthy (restarting...): the caller has a fallback for it. */
  allowUnhealthy = false,
): Promise<JobDetails | undefined> {
  const jobId = selector.jobId ?? (await findIdByName(client, selector.jobName!, signal))
  if (!jobId) return undefined
  const job = await client.jobs.get({ jobid: jobId, signal }).catch((error: unknown) => {
    if (isJobNotFound(error)) {
      throw new PreflightFailedError('blue-job', `No job with id ${jobId} on the cluster`, { jobId })
    }
    throw error
  })
  if (!allowUnhealthy) assertHealthy(job)
  return job
}

async function findIdByName(
  client: FlinkClient,
  name: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const { jobs } = await client.jobs.overview({ signal })
  const live = jobs.filter((j) => j.name === name && !isTerminal(j.state))
  if (live.length > 1) {
    const list = live.map((j) => `${j.jid} (${j.state})`).join(', ')
    throw new PreflightFailedError(
      'blue-job',
      `${live.length} jobs named "${name}" are live: ${list}; pass the job id to choose`,
      {
        jobIds: live.map((j) => j.jid),
      },
    )
  }
  return live[0]?.jid
}

function assertHealthy(job: JobDetails): void {
  if (job.state !== 'RUNNING') {
    throw new PreflightFailedError(
      'blue-job',
      `Job "${job.name}" (${job.jid}) is ${job.state}, not RUNNING; refusing to upgrade it`,
      {
        jobId: job.jid,
        state: job.state,
      },
    )
  }
  const notRunning = job.vertices.filter((v) => v.status !== 'RUNNING')
  if (notRunning.length > 0) {
    const list = notRunning.map((v) => `${v.name}: ${v.status}`).join(', ')
    throw new PreflightFailedError(
      'blue-job',
      `Job "${job.name}" (${job.jid}) has vertices that are not running (${list})`,
      {
        jobId: job.jid,
        vertices: Object.fromEntries(notRunning.map((v) => [v.name, v.status])),
      },
    )
  }
}
