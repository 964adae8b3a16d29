/**
 * Submits a release from a jar with a job id chosen (and persisted) beforehand. Running it again is safe: if
 * the cluster already knows the job id, the earlier submission went through and nothing is sent.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import type { ClaimMode } from '../client/schemas/jars.ts'
import { FlinkApiError, isJobNotFound } from '../errors.ts'
import type { RunSettings } from '../upgrade/run-settings.ts'
import { asReleaseStartError } from './program-error.ts'

export interface StartJobInput {
  jarId: string
  jobId: string
  settings: RunSettings
  savepointPath?: string
  allowNonRestoredState?: boolean
  claimMode?: ClaimMode
}

export async function startJob(
  client: FlinkClient,
  input: StartJobInput,
  signal?: AbortSignal,
): Promise<{ submitted: boolean }> {
  if (await jobExists(client, input.jobId, signal)) return { submitted: false }
  const { settings } = input
  try {
    await client.jars.run({
      jarid: input.jarId,
      signal,
      body: {
        jobId: input.jobId,
        entryClass: settings.entryClass,
        programArgsList: settings.programArgs,
        parallelism: settings.parallelism,
        flinkConfiguration: settings.flinkConfiguration,
        savepointPath: input.savepointPath,
        allowNonRestoredState: input.allowNonRestoredState,
        claimMode: input.savepointPath ? (input.claimMode ?? 'NO_CLAIM') : undefined,
      },
    })
  } catch (error) {
    // A retried submission whose first attempt got through (also into a JobManager that failed over since):
    // Flink refuses the duplicate job id. The id was chosen for this run and persisted before the first
    // attempt, so the job Flink knows by it is ours, even while a new JobManager is still recovering it.
    if (isDuplicateSubmission(error)) return { submitted: false }
    throw asReleaseStartError(error, input.jarId)
  }
  return { submitted: true }
}

export async function jobExists(client: FlinkClient, jobId: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await client.jobs.status({ jobid: jobId, signal })
    return true
  } catch (error) {
    if (isJobNotFound(error)) return false
    throw error
  }
}

function isDuplicateSubmission(error: unknown): boolean {
  return (
    error instanceof FlinkApiError &&
    // 2.x submits through an application: DuplicateApplicationSubmissionException
    error.errors.some((e) => /Duplicate(Job|Application)SubmissionException/.test(e))
  )
}
