/**
 * Green from blue's latest retained checkpoint instead of a new savepoint: the checkpoint fallback (blue could
 * not take a savepoint) and the last-state upgrade mode (chosen up front, so the snapshot phase costs nothing).
 * Blue is cancelled before the final choice, because a blue still running keeps checkpointing, and with
 * `state.checkpoints.num-retained: 1` each new checkpoint deletes the one before it.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import { PreflightFailedError } from '../errors.ts'
import { cancelJob, isTerminal } from './cancel-job.ts'

export interface CheckpointFallbackInput {
  jobId: string
  maxAgeMs: number
  timeoutMs: number
  signal?: AbortSignal
}

export type UnusableCheckpoint = 'not-retained' | 'too-old' | 'none'

/** Why blue's latest checkpoint cannot be used (`details.reason`); nothing was changed to find out. */
const unusable = (reason: UnusableCheckpoint, message: string) =>
  new PreflightFailedError('usable-checkpoint', message, { reason })

export async function useLatestCheckpoint(
  client: FlinkClient,
  input: CheckpointFallbackInput,
): Promise<{ location: string }> {
  // Checked first so that a blue without a usable checkpoint is not cancelled for nothing.
  const before = await usableCheckpoint(client, input)
  return cancelKeepingCheckpoint(client, { ...input, chosen: before.location })
}

/** Blue's latest retained checkpoint, if it would survive blue's cancellation and is recent enough. */
export async function usableCheckpoint(
  client: FlinkClient,
  input: Omit<CheckpointFallbackInput, 'timeoutMs'>,
): Promise<{ location: string; ageMs: number }> {
  await requireRetainedOnCancel(client, input)
  const latest = await latestRetained(client, input)
  if (latest.ageMs > input.maxAgeMs) {
    throw unusable(
      'too-old',
      `the latest checkpoint is ${Math.round(latest.ageMs / 1000)} s old, over the allowed ${input.maxAgeMs / 1000} s`,
    )
  }
  return latest
}

/**
 * Cancels blue, then takes the checkpoint it completed last: `chosen` (persisted by the caller before this)
 * unless blue completed a newer one while it was being cancelled, which may have deleted `chosen`.
 */
export async function cancelKeepingCheckpoint(
  client: FlinkClient,
  input: Omit<CheckpointFallbackInput, 'maxAgeMs'> & { chosen: string },
): Promise<{ location: string }> {
  const { finalStatus } = await cancelJob(client, input.jobId, {
    timeoutMs: input.timeoutMs,
    signal: input.signal,
  })
  if (finalStatus === 'UNKNOWN') return { location: input.chosen }
  const after = await latestRetained(client, input).catch(() => undefined)
  return { location: after?.location ?? input.chosen }
}

async function requireRetainedOnCancel(
  client: FlinkClient,
  input: { jobId: string; signal?: AbortSignal },
): Promise<void> {
  const [{ externalization }, { status }] = await Promise.all([
    client.checkpoints.config({ jobid: input.jobId, signal: input.signal }),
    client.jobs.status({ jobid: input.jobId, signal: input.signal }),
  ])
  // A FAILED blue keeps externalized checkpoints whatever the retention; a cancelled one only with RETAIN.
  if (externalization.enabled && (!externalization.delete_on_cancellation || isTerminal(status))) return
  throw unusable(
    'not-retained',
    `blue's checkpoints ${externalization.enabled ? 'are deleted when it is cancelled' : 'are not retained'}; ` +
      'the fallback needs execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION',
  )
}

/**
 * Only the checkpoint statistics name the latest checkpoint, and Flink answers them from a cache
 * (`rest.cache.checkpoint-statistics.timeout`, `web.refresh-interval` by default): read once, no wait.
 */
async function latestRetained(
  client: FlinkClient,
  input: { jobId: string; signal?: AbortSignal },
): Promise<{ location: string; ageMs: number }> {
  const stats = await client.checkpoints.statistics({ jobid: input.jobId, signal: input.signal })
  const latest = stats.latest.completed
  if (!latest?.external_path) throw unusable('none', 'blue has no retained checkpoint')
  return { location: latest.external_path, ageMs: Date.now() - latest.latest_ack_timestamp }
}
