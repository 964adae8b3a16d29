/**
 * The hand-over by hand, on real Flink with the real broker and the producer running: blue (gate, colour blue)
 * and green (gate, colour green, started from a savepoint of the running blue, with its own sink uid and
 * transactional-id prefix) run side by side; T is written into the hand-over file, green is let through once
 * every blue gate subtask has seen T, and blue is stopped with a savepoint once its watermark passed T. This is
 * the mechanism the tool's hand-over automates: every record is in the committed output exactly once.
 */
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type FlinkClient, upgrade } from '@flink-deploy/core'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { describe, expect, it, vi } from 'vitest'
import { tempDir } from '../../packages/cli/src/test-kit.ts'
import { expectExactlyOnce, kafkaPipeline, outputAtLeast, useKafkaGround } from './kafka-ground.ts'

const verify = { checkpoints: 1, stabilisationMs: 2_000, timeoutMs: 90_000 }
/** How far ahead of now T is: the gates re-read the object every 500 ms, the metrics lag a few seconds. */
const CUTOVER_AHEAD_MS = 8_000

for (const version of selectedFlinkVersions()) {
  describe(`kafka hand-over by hand on real Flink ${version}`, () => {
    const ground = useKafkaGround(version)

    it('kafka hand-over: blue writes before T, green from T on; 0 missing, 0 duplicated', async () => {
      const { client, jar } = ground()
      const object = join(tempDir('handover-'), 'orders.json')
      const publish = (handover: object) => {
        writeFileSync(`${object}.tmp`, JSON.stringify(handover))
        renameSync(`${object}.tmp`, object)
      }
      const gate = (colour: string) => ['--handover-path', `file://${object}`, '--colour', colour]
      const pipeline = await kafkaPipeline(ground().broker, 'orders')
      const producing = await pipeline.produce()
      const blue = await upgrade(
        { jobName: 'orders', jar, args: pipeline.args('v1', gate('blue')), verify },
        ground().runtime('orders'),
      )
      expect(blue.outcome, blue.summary).toBe('upgraded')
      const blueId = blue.greenJobId!
      await outputAtLeast(pipeline, 300, 'v1')

      const { location } = await client.operations.savepoint(blueId)
      const { jarId } = await client.jars.upload(jar)
      const { jobid: greenId } = await client.jars.run({
        jarid: jarId,
        body: {
          programArgsList: pipeline.args('v2', gate('green')),
          savepointPath: location,
          // blue's sink state (uid kafka-sink-blue) has no operator in green
          allowNonRestoredState: true,
        },
      })
      const greenGates = await gateMetrics(client, greenId)
      await vi.waitFor(async () => expect(await greenGates('state')).toEqual(['standby']), {
        timeout: 60_000,
        interval: 500,
      })

      const cutover = Date.now() + CUTOVER_AHEAD_MS
      publish({ version: 1, cutoverMillis: cutover })
      const blueGates = await gateMetrics(client, blueId)
      await vi.waitFor(async () => expect(await blueGates('cutoverSeen')).toEqual(['1']), {
        timeout: 30_000,
        interval: 250,
      })
      expect(await blueGates('cutoverLate')).toEqual(['0'])
      publish({ version: 2, cutoverMillis: cutover, greenPasses: true })
      await vi.waitFor(async () => expect(await greenGates('state')).toEqual(['green-passing']), {
        timeout: 30_000,
        interval: 250,
      })
      expect(await greenGates('cutoverLate')).toEqual(['0'])

      await vi.waitFor(
        async () => {
          for (const watermark of await blueGates('watermark'))
            expect(Number(watermark)).toBeGreaterThan(cutover)
        },
        { timeout: 60_000, interval: 250 },
      )
      await client.operations.stopWithSavepoint(blueId)
      await outputAtLeast(pipeline, 300, 'v2')

      const result = await producing.finish()
      console.log(
        `Flink ${version} hand-over at T = ${cutover}: ${result.produced} produced, ${JSON.stringify(result.counts)}`,
      )
      expectExactlyOnce(result)
      expect(result.counts.releases.v1?.output).toBeGreaterThan(0)
      expect(result.counts.releases.v2?.output).toBeGreaterThan(0)
      expect((await client.jobs.status({ jobid: greenId })).status).toBe('RUNNING')
      await client.jobs.cancel({ jobid: greenId })
    })
  })
}

/** Reads a metric of every subtask of job `jobid`'s hand-over gate (operator handover-gate, group handover). */
async function gateMetrics(client: FlinkClient, jobid: string): Promise<(name: string) => Promise<string[]>> {
  const vertex = await vi.waitFor(
    async () => {
      const job = await client.jobs.get({ jobid })
      const found = job.vertices.find((v) => v.name.includes('handover-gate'))
      if (!found) throw new Error(`no handover-gate vertex in ${job.vertices.map((v) => v.name).join(', ')}`)
      return found
    },
    { timeout: 30_000, interval: 250 },
  )
  return async (name) => {
    const ids = Array.from({ length: vertex.parallelism }, (_, i) => `${i}.handover-gate.handover.${name}`)
    const metrics = await client.vertices.metrics({ jobid, vertexid: vertex.id, query: { get: ids } })
    return ids.map((id) => metrics.find((m) => m.id === id)?.value ?? 'absent')
  }
}
