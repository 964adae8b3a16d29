/**
 * Savepoints of blue, with a trigger id persisted before the request. When the answer is lost (the
 * JobManager restarted and forgot the trigger, the wait ran out, the connection hung) the savepoint may
 * still exist: Flink's checkpoint statistics of the job name the last one, which is trusted only if it was
 * triggered by this run. If they do not, the error says where on storage to look.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import { FlinkApiError, FlinkOperationFailedError, SavepointResultLostError } from '../errors.ts'
import type { SavepointFormat } from '../upgrade/options.ts'

export interface SavepointStepInput {
  jobId: string
  triggerId: string
  /** Epoch ms when this run first triggered the operation; an older savepoint is not ours. */
  triggeredAfter: number
  targetDirectory?: string
  /** Canonical unless given; Flink 2.x writes only native savepoints of operators on async state. */
  format?: SavepointFormat
  timeoutMs: number
}

export interface SavepointStepOutput {
  location: string
  /** True when the location came from the job's checkpoint statistics rather than the trigger's answer. */
  reconciled: boolean
}

export async function stopWithSavepoint(
  client: FlinkClient,
  input: SavepointStepInput & { drain: boolean },
  signal?: AbortSignal,
): Promise<SavepointStepOutput> {
  const { jobId, triggerId, targetDirectory, drain, timeoutMs } = input
  const formatType = flinkFormat(input.format)
  return withReconciliation(client, input, signal, () =>
    client.operations.stopWithSavepoint(jobId, {
      triggerId,
      targetDirectory,
      drain,
      timeoutMs,
      formatType,
      signal,
      poll: { maxMs: STOP_POLL_MAX_MS },
    }),
  )
}

/**
 * Blue has stopped once this answers, and every ms until it is seen is downtime: the default backoff (up to
 * 1 s between polls) added up to a second to long savepoints' downtime. A poll is one cheap REST call.
 */
const STOP_POLL_MAX_MS = 200

export async function takeSavepoint(
  client: FlinkClient,
  input: SavepointStepInput,
  signal?: AbortSignal,
): Promise<SavepointStepOutput> {
  const { jobId, triggerId, targetDirectory, timeoutMs } = input
  const formatType = flinkFormat(input.format)
  return withReconciliation(client, input, signal, () =>
    client.operations.savepoint(jobId, { triggerId, targetDirectory, timeoutMs, formatType, signal }),
  )
}

const flinkFormat = (format: SavepointFormat | undefined) => (format === 'native' ? 'NATIVE' : 'CANONICAL')

async function withReconciliation(
  client: FlinkClient,
  input: SavepointStepInput,
  signal: AbortSignal | undefined,
  operation: () => Promise<{ location: string }>,
): Promise<SavepointStepOutput> {
  try {
    const { location } = await operation()
    return { location, reconciled: false }
  } catch (error) {
    // Flink said the savepoint failed: nothing to look for. Any other failure leaves it unknown.
    if (error instanceof FlinkOperationFailedError) throw error
    const location = await savepointFromStatistics(client, input, signal)
    if (location) return { location, reconciled: true }
    // A 4xx other than 404 refused the trigger itself; a 5xx, a 404 or no answer may hide a written savepoint.
    if (error instanceof FlinkApiError && error.status >= 400 && error.status < 500 && error.status !== 404)
      throw error
    const searchHint = savepointSearchHint(input.jobId, input.targetDirectory)
    throw new SavepointResultLostError({
      jobId: input.jobId,
      triggerId: input.triggerId,
      searchHint,
      cause: error,
    })
  }
}

export async function savepointFromStatistics(
  client: FlinkClient,
  input: Pick<SavepointStepInput, 'jobId' | 'triggeredAfter'>,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const stats = await client.checkpoints.statistics({ jobid: input.jobId, signal }).catch(() => undefined)
  const savepoint = stats?.latest.savepoint
  if (savepoint?.status !== 'COMPLETED' || !savepoint.external_path) return undefined
  return savepoint.trigger_timestamp >= input.triggeredAfter ? savepoint.external_path : undefined
}

/** Where to look by hand when no answer names the savepoint: Flink names it after the job id. */
export function savepointSearchHint(jobId: string, targetDirectory: string | undefined): string {
  return `${targetDirectory ?? "the cluster's savepoint directory"}/savepoint-${jobId.slice(0, 6)}-*`
}
