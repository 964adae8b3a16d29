/** The real-Flink tests' waits for the example job's gauges (read by `scripts/example-gauges.ts`). */
import type { FlinkClient } from '@flink-deploy/core'
import { vi } from 'vitest'
import { type ExampleGauges, readExampleGauges } from '../../scripts/example-gauges.ts'

/** The gauges, once Flink's metric store has them. */
export function exampleCounts(client: FlinkClient, jobid: string): Promise<ExampleGauges> {
  return vi.waitFor(
    async () => {
      const gauges = await readExampleGauges(client, jobid)
      if (!gauges) throw new Error('no gauges yet')
      return gauges
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
