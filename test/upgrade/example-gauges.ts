/**
 * The example job's gauges on its counter vertex: `stateCount` is the total held in keyed state,
 * `processedSinceStart` what this job instance added, so their difference is the count it restored.
 */
import type { FlinkClient } from '@flink-deploy/core'
import { vi } from 'vitest'

/** The gauges, once Flink's metric store has them. */
export async function exampleCounts(
  client: FlinkClient,
  jobid: string,
): Promise<{ stateCount: number; processed: number }> {
  const job = await client.jobs.get({ jobid })
  const counter = job.vertices.find((v) => v.name.startsWith('counter'))!
  return vi.waitFor(
    async () => {
      const metrics = await client.vertices.metrics({
        jobid,
        vertexid: counter.id,
        query: { get: ['0.counter.stateCount', '0.counter.processedSinceStart'] },
      })
      const value = (id: string) => Number(metrics.find((m) => m.id === id)?.value)
      const result = {
        stateCount: value('0.counter.stateCount'),
        processed: value('0.counter.processedSinceStart'),
      }
      if (!Number.isFinite(result.stateCount) || !Number.isFinite(result.processed))
        throw new Error('no gauges yet')
      return result
    },
    { timeout: 30_000, interval: 250 },
  )
}

/** Waits until the job has counted at least `min` events in state. */
export function countedAtLeast(client: FlinkClient, jobid: string, min: number): Promise<number> {
  return vi.waitFor(
    async () => {
      const { stateCount } = await exampleCounts(client, jobid)
      if (stateCount < min) throw new Error(`stateCount ${stateCount} < ${min}`)
      return stateCount
    },
    { timeout: 60_000, interval: 500 },
  )
}
