/**
 * A last-state upgrade starts green from blue's latest checkpoint and cancels blue some time after it: what blue
 * read after that checkpoint is in no state, so it reaches green only if green's sources read it again from
 * the positions the checkpoint holds. Over REST only the kind of each source shows, not its connector's code:
 * - A FLIP-27 source (`env.fromSource`: Kafka, files, Pulsar, Kinesis, datagen…) runs in a SourceOperator whose
 *   reader's splits, each with its position, are part of every checkpoint; restored, it reads on from there.
 *   Every SourceOperator registers `sourceIdleTime` when it is set up (InternalSourceReaderMetricGroup, Flink
 *   1.14 to 2.x), whatever the connector, so a source vertex listing `<operator>.sourceIdleTime` runs one.
 *   Other metrics do not do: `pendingRecords` and Kafka's per-partition offsets are the connector's choice.
 * - A legacy SourceFunction (`env.addSource`, `socketTextStream`, the old FlinkKafkaConsumer) reports none of
 *   them. It replays only if it keeps its own position in operator state and its system can serve it again,
 *   neither of which REST shows: refused, unless the user vouches for it (assumeSourcesReplay).
 * Only input-less vertices are looked at: a legacy source is always the head of one; sources chained into a
 * vertex that has inputs (multiple-input chaining) are FLIP-27 sources by construction.
 * What no check here sees: whether the external system still holds what came after the checkpoint (Kafka
 * retention shorter than the checkpoint's age). last-state-max-age bounds that age.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient } from '../client/flink-client.ts'
import { PreflightFailedError } from '../errors.ts'
import { sourceVertices } from '../verify/flow-checks.ts'

const FLIP27_METRIC = 'sourceIdleTime'
/**
 * How long to wait for a source's metrics to be listed at all: the JobManager fetches them from the TaskManagers
 * when asked, at most every `metrics.fetcher.update-interval` (10 s by default), so the first ask may find none.
 */
export const SOURCE_METRICS_WAIT_MS = 12_000
const POLL_MS = 500

export interface SourceReplay {
  /** Source vertices running FLIP-27 sources: their positions are in every checkpoint. */
  replaying: string[]
  /** Source vertices that may not replay, each with why. */
  unsure: { vertex: string; reason: string }[]
}

/** What blue's source vertices are, from their metric ids; waits for metrics Flink has not fetched yet. */
export async function sourceReplay(
  client: FlinkClient,
  jobId: string,
  wait: { deadline: number; signal?: AbortSignal; pollMs?: number },
): Promise<SourceReplay> {
  const job = await client.jobs.get({ jobid: jobId, signal: wait.signal })
  const sources = sourceVertices(job)
  for (;;) {
    const listed = await Promise.all(
      sources.map(async (v) => ({
        vertex: v.name,
        ids: (
          await client.vertices.subtasksMetrics({ jobid: jobId, vertexid: v.id, signal: wait.signal })
        ).map((m) => m.id),
      })),
    )
    const unlisted = listed.filter((l) => l.ids.length === 0)
    if (unlisted.length === 0 || Date.now() >= wait.deadline) {
      const flip27 = (ids: string[]) =>
        ids.some((id) => id === FLIP27_METRIC || id.endsWith(`.${FLIP27_METRIC}`))
      return {
        replaying: listed.filter((l) => flip27(l.ids)).map((l) => l.vertex),
        unsure: listed
          .filter((l) => !flip27(l.ids))
          .map((l) => ({
            vertex: l.vertex,
            reason:
              l.ids.length === 0
                ? 'Flink listed no metrics for it, so its kind of source is unknown'
                : `it reports no ${FLIP27_METRIC}: not a FLIP-27 source (a legacy SourceFunction keeps its position only if it checkpoints one)`,
          })),
      }
    }
    await sleep(wait.pollMs ?? POLL_MS, undefined, { signal: wait.signal })
  }
}

/** Refuses a last-state upgrade, before blue is touched, unless every source of blue is known to replay. */
export async function requireReplayingSources(
  client: FlinkClient,
  jobId: string,
  wait: { deadline: number; signal?: AbortSignal; pollMs?: number },
): Promise<SourceReplay> {
  const found = await sourceReplay(client, jobId, wait)
  if (found.unsure.length > 0)
    throw new PreflightFailedError(
      'sources-replay',
      `last-state refused: green would start from blue ${jobId}'s latest checkpoint, and what blue read after it reaches green only if its sources read it again, which flink-deploy cannot tell for ${found.unsure
        .map((u) => `${u.vertex} (${u.reason})`)
        .join(
          '; ',
        )}. Upgrade with a savepoint instead (without --upgrade-mode last-state), or, if these sources do replay from their checkpointed position, say so with --assume-sources-replay (assumeSourcesReplay).`,
      { replaying: found.replaying, unsure: found.unsure },
    )
  return found
}
