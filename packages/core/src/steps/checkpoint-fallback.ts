/**
 * The checkpoint fallback: blue could not take a savepoint, so green starts from blue's latest retained
 * checkpoint. Blue is cancelled before the checkpoint is chosen, because a blue still running keeps
 * checkpointing, and with `state.checkpoints.num-retained: 1` each new checkpoint deletes the one before it.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import { cancelJob, isTerminal } from './cancel-job.ts'

export interface CheckpointFallbackInput {
  jobId: string
  maxAgeMs: number
  timeoutMs: number
  signal?: AbortSignal
}

export async function useLatestCheckpoint(
  client: FlinkClient,
  input: CheckpointFallbackInput,
): Promise<{ location: string }> {
  // Checked first so that a blue without a usable checkpoint is not cancelled for nothing.
  await requireRetainedOnCancel(client, input)
  const before = await latestRetained(client, input)
  const { finalStatus } = await cancelJob(client, input.jobId, {
    timeoutMs: input.timeoutMs,
    signal: input.signal,
  })
  if (finalStatus === 'UNKNOWN') return { location: before }
  return { location: await latestRetained(client, input) }
}

async function requireRetainedOnCancel(client: FlinkClient, input: CheckpointFallbackInput): Promise<void> {
  const [{ externalization }, { status }] = await Promise.all([
    client.checkpoints.config({ jobid: input.jobId, signal: input.signal }),
    client.jobs.status({ jobid: input.jobId, signal: input.signal }),
  ])
  // A FAILED blue keeps externalized checkpoints whatever the retention; a cancelled one only with RETAIN.
  if (externalization.enabled && (!externalization.delete_on_cancellation || isTerminal(status))) return
  throw new Error(
    `blue's checkpoints ${externalization.enabled ? 'are deleted when it is cancelled' : 'are not retained'}; ` +
      'the fallback needs execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION',
  )
}

/**
 * Only the checkpoint statistics name the latest checkpoint, and Flink answers them from a cache
 * (`rest.cache.checkpoint-statistics.timeout`, `web.refresh-interval` by default): read once, no wait.
 */
async function latestRetained(client: FlinkClient, input: CheckpointFallbackInput): Promise<string> {
  const stats = await client.checkpoints.statistics({ jobid: input.jobId, signal: input.signal })
  const latest = stats.latest.completed
  const age = latest ? Date.now() - latest.latest_ack_timestamp : Number.POSITIVE_INFINITY
  if (!latest?.external_path || age > input.maxAgeMs) {
    throw new Error(
      latest
        ? `the latest checkpoint is ${Math.round(age / 1000)} s old, over the allowed ${input.maxAgeMs / 1000} s`
        : 'blue has no retained checkpoint',
    )
  }
  return latest.external_path
}
