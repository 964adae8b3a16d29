/**
 * Checkpoints triggered through the REST API as soon as green runs, so proving "green checkpoints after its
 * restore" does not wait for the next periodic checkpoint. The trigger only speeds the proof up: the verdict
 * still comes from what Flink reports about completed checkpoints, and a trigger that fails or is not
 * supported leaves the check waiting for periodic ones, exactly as without it.
 */
import { newTriggerId } from '../client/async-operation.ts'
import { isAtLeast } from '../client/version.ts'
import type { CheckContext } from './check.ts'
import { type Evidence, errorEvidence } from './poll.ts'

/** POST /jobs/:jobid/checkpoints exists since Flink 1.17 (FLINK-27101). */
const TRIGGER_SINCE = { major: 1, minor: 17 }

/** How the status of a triggered checkpoint is polled: it completes in tens of ms on a small job. */
const STATUS_POLL = { initialMs: 10, maxMs: 250, factor: 1.5 }

interface Triggered {
  /** Chosen here, so the evidence names a checkpoint still in progress. */
  triggerId: string
  /** Epoch ms (local clock) of the trigger request. */
  requestedAt: number
  checkpointId?: number
  durationMs?: number
  error?: string
}

export interface CheckpointTrigger {
  /** Starts triggering (once; later calls do nothing) up to `count` checkpoints, one after the other. */
  start(count: number): void
  /** Stops waiting for triggered checkpoints (the check has decided); Flink completes them regardless. */
  stop(): void
  /** Ids of checkpoints triggered here that Flink reported complete. */
  completedIds(): number[]
  /** Why the last trigger failed, if it did. */
  failure(): string | undefined
  /** What was triggered, for the evidence; undefined before `start`. */
  evidence(): Evidence | undefined
}

export function checkpointTrigger(ctx: CheckContext): CheckpointTrigger {
  const triggered: Triggered[] = []
  const stopped = new AbortController()
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stopped.signal]) : stopped.signal
  let state: 'idle' | 'running' | 'done' | 'unsupported' = 'idle'
  let unsupportedReason: string | undefined
  /** A failure before any trigger went out (e.g. reading the Flink version). */
  let unexpected: string | undefined

  const run = async (count: number) => {
    const version = await ctx.client.version()
    if (!isAtLeast(version, TRIGGER_SINCE.major, TRIGGER_SINCE.minor)) {
      state = 'unsupported'
      unsupportedReason = `Flink ${version.raw} cannot trigger checkpoints through the REST API (1.17+)`
      return
    }
    for (let i = 0; i < count && !signal.aborted; i++) {
      const entry: Triggered = { triggerId: newTriggerId(), requestedAt: Date.now() }
      triggered.push(entry)
      try {
        const done = await ctx.client.operations.checkpoint(ctx.jobId, {
          signal,
          triggerId: entry.triggerId,
          timeoutMs: Math.max(1, ctx.deadline - Date.now()),
          poll: STATUS_POLL,
        })
        entry.durationMs = done.durationMs
        if (done.checkpointId >= 0) entry.checkpointId = done.checkpointId
      } catch (error) {
        if (signal.aborted) return
        // Periodic checkpoints may still prove it; the failure stays in the evidence.
        entry.error = errorEvidence(error).error
        return
      }
    }
  }

  return {
    start(count) {
      if (state !== 'idle') return
      state = 'running'
      run(count)
        .catch((error) => {
          if (!signal.aborted) unexpected = errorEvidence(error).error
        })
        .finally(() => {
          if (state === 'running') state = 'done'
        })
    },
    completedIds: () => triggered.flatMap((t) => (t.checkpointId === undefined ? [] : [t.checkpointId])),
    stop: () => stopped.abort(),
    failure: () => triggered.at(-1)?.error ?? unexpected,
    evidence() {
      if (state === 'idle') return undefined
      if (state === 'unsupported') return { unsupported: unsupportedReason }
      return {
        checkpoints: triggered.map((t) => ({
          triggerId: t.triggerId,
          requestedAt: t.requestedAt,
          ...(t.checkpointId !== undefined ? { checkpointId: t.checkpointId } : {}),
          ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
          ...(t.error ? { error: t.error } : {}),
        })),
        inProgress: state === 'running',
        ...(unexpected ? { error: unexpected } : {}),
      }
    },
  }
}
