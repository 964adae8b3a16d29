/**
 * Would green take all of blue's state? Flink keys state by operator id, and the plan of a jar (computed
 * without running it) lists its vertex ids. A vertex of blue that holds state but is missing from green's
 * plan is state green would drop; Flink only starts such a job with allowNonRestoredState.
 *
 * Limit: the plan shows vertices (operator chains) by the id of their first operator; state of a later
 * operator in a chain whose uid changed is not visible here and is caught by Flink when green starts.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import type { Clusters } from '../cross-cluster/clusters.ts'
import { asReleaseStartError } from '../steps/program-error.ts'
import type { RunSettings } from '../upgrade/run-settings.ts'

export interface DroppedState {
  vertexId: string
  name: string
  /** Bytes of state in blue's latest checkpoint, or undefined when blue has none to measure. */
  stateBytes: number | undefined
}

export interface StateCompatibility {
  compatible: boolean
  dropped: DroppedState[]
  blueVertices: string[]
  greenVertices: string[]
}

/** Blue's plan and state sizes come from blue's cluster, green's plan from the cluster green will run on. */
export async function checkStateCompatibility(
  clusters: Clusters,
  input: { blueJobId: string; greenJarId: string; green: RunSettings },
  signal?: AbortSignal,
): Promise<StateCompatibility> {
  const [bluePlan, greenPlan, stateByVertex] = await Promise.all([
    clusters.blue.jobs.plan({ jobid: input.blueJobId, signal }),
    clusters.green.jars
      .plan({
        jarid: input.greenJarId,
        signal,
        body: {
          entryClass: input.green.entryClass,
          programArgsList: input.green.programArgs,
          parallelism: input.green.parallelism,
          flinkConfiguration: input.green.flinkConfiguration,
        },
      })
      .catch((error: unknown) => {
        // Computing the plan runs green's main(): when it throws, that is the release failing to start.
        throw asReleaseStartError(error, input.greenJarId)
      }),
    stateSizes(clusters.blue, input.blueJobId, signal),
  ])
  const greenIds = new Set(greenPlan.plan.nodes.map((n) => n.id))
  const dropped = bluePlan.plan.nodes
    .filter((n) => !greenIds.has(n.id))
    .map((n) => ({
      vertexId: n.id,
      name: plainName(n.description ?? n.id),
      stateBytes: stateByVertex?.get(n.id),
    }))
    // Without a checkpoint to measure, every missing vertex may hold state; with one, only those that do.
    .filter((d) => stateByVertex === undefined || (d.stateBytes ?? 0) > 0)
  return {
    compatible: dropped.length === 0,
    dropped,
    blueVertices: bluePlan.plan.nodes.map((n) => n.id),
    greenVertices: [...greenIds],
  }
}

async function stateSizes(
  client: FlinkClient,
  jobId: string,
  signal?: AbortSignal,
): Promise<Map<string, number> | undefined> {
  const stats = await client.checkpoints.statistics({ jobid: jobId, signal }).catch(() => undefined)
  const latest = stats?.latest.completed
  if (!latest) return undefined
  const details = await client.checkpoints.details({ jobid: jobId, checkpointid: latest.id, signal })
  const tasks = (details.tasks ?? {}) as Record<string, { state_size?: number; checkpointed_size?: number }>
  return new Map(Object.entries(tasks).map(([id, t]) => [id, t.state_size ?? t.checkpointed_size ?? 0]))
}

/** Plan descriptions are HTML fragments ("counter<br/>"); messages want plain text. */
function plainName(description: string): string {
  return description
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}
