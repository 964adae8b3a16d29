/**
 * Plain blue-green on a job with an exactly-once Kafka sink, on real Flink with a real broker: refused before
 * green is submitted (blue keeps running and its output stays complete), and, when the user accepts duplicates
 * and fencing, the damage it does: green restores blue's transactional ids and fences blue's producers, so
 * committed output goes missing (2.3: blue's task fails and takes its TaskManager down) or is duplicated (1.20).
 * The reproduction runs last: it may leave the cluster without a TaskManager.
 */
import { upgrade } from '@flink-deploy/core'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { describe, expect, it } from 'vitest'
import { deployWithProducer, expectExactlyOnce, outputAtLeast, useKafkaGround } from './kafka-ground.ts'

const verify = { checkpoints: 1, stabilisationMs: 2_000, timeoutMs: 45_000 }

for (const version of selectedFlinkVersions()) {
  describe(`kafka blue-green on real Flink ${version}`, () => {
    const ground = useKafkaGround(version)
    const deployBlue = (name: string) => deployWithProducer(ground(), name, verify)

    it('kafka blue-green is refused before green is submitted; blue runs and its output is complete', async () => {
      const { pipeline, runtime, producing, blueId } = await deployBlue('orders')
      const before = (await ground().client.jobs.overview()).jobs.length
      const result = await upgrade(
        { jobName: 'orders', jar: ground().jar, args: pipeline.args('v2'), strategy: 'blue-green', verify },
        runtime,
      )
      expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'PREFLIGHT_FAILED' })
      expect(result.error!.message).toContain(
        "green restores blue's state of the transactional sink orders-out",
      )
      expect((await ground().client.jobs.overview()).jobs).toHaveLength(before)
      expect((await ground().client.jobs.status({ jobid: blueId })).status).toBe('RUNNING')
      // blue keeps committing after the refusal
      const committed = (await pipeline.ledger.count()).output
      await outputAtLeast(pipeline, committed + 300)
      const counts = await producing.finish()
      expectExactlyOnce(counts)
      expect(counts.counts.releases.v2).toBeUndefined()
      await ground().client.jobs.cancel({ jobid: blueId })
    })

    it('kafka blue-green with duplicates and fencing accepted loses or duplicates committed output', async () => {
      const { pipeline, runtime, producing } = await deployBlue('payments')
      const result = await upgrade(
        {
          jobName: 'payments',
          jar: ground().jar,
          args: pipeline.args('v2'),
          strategy: 'blue-green',
          acceptDuplicatesAndFencing: true,
          verify,
        },
        runtime,
      )
      expect(result.warnings).toContainEqual(expect.stringContaining('duplicates and fencing accepted'))
      const { produced, counts } = await producing.finish()
      const settled = await pipeline.ledger.settle({ timeoutMs: 15_000 })
      console.log(
        `Flink ${version} blue-green on an exactly-once Kafka sink (${result.outcome}): ${produced} produced, ${JSON.stringify(settled)}`,
      )
      expect(counts.input).toBe(produced)
      expect(settled.missing + settled.duplicated).toBeGreaterThan(0)
    })
  })
}
