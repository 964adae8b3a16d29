/**
 * The example job's gauges on its counter vertex, read once: `stateCount` is the total held in keyed state,
 * `processedSinceStart` what this job instance added, so their difference is the count it restored. Shared
 * by the demos and the real-Flink tests, which each wait for them in their own way.
 */
import type { FlinkClient } from '@flink-deploy/core'

export interface ExampleGauges {
  stateCount: number
  processed: number
}

/** The gauges, or undefined while Flink's metric store does not have them yet. */
export async function readExampleGauges(
  client: FlinkClient,
  jobid: string,
): Promise<ExampleGauges | undefined> {
  const job = await client.jobs.get({ jobid })
  const counter = job.vertices.find((v) => v.name.startsWith('counter'))!
  const metrics = await client.vertices.metrics({
    jobid,
    vertexid: counter.id,
    query: { get: ['0.counter.stateCount', '0.counter.processedSinceStart'] },
  })
  const value = (id: string) => Number(metrics.find((m) => m.id === id)?.value)
  const gauges = {
    stateCount: value('0.counter.stateCount'),
    processed: value('0.counter.processedSinceStart'),
  }
  return Number.isFinite(gauges.stateCount) && Number.isFinite(gauges.processed) ? gauges : undefined
}
