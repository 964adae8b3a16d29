/**
 * Upgrades of a Kafka → keyed state → exactly-once Kafka job on real Flink with a real Kafka broker, the
 * producer running through each: the committed output (read_committed) holds every input record exactly once.
 */
import { upgrade } from '@flink-deploy/core'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectExactlyOnce,
  type KafkaGround,
  kafkaPipeline,
  outputAtLeast,
  startKafkaGround,
} from './kafka-ground.ts'

const verify = { checkpoints: 1, stabilisationMs: 2_000, timeoutMs: 90_000 }

for (const version of selectedFlinkVersions()) {
  describe(`kafka upgrades on real Flink ${version}`, () => {
    let ground: KafkaGround
    beforeAll(async () => {
      ground = await startKafkaGround(version)
    })
    afterAll(async () => {
      await ground?.stop()
    })

    it('kafka stop-and-restart v1 → v2: 0 missing, 0 duplicated in the committed output', async () => {
      const { jar, client } = ground
      const pipeline = await kafkaPipeline(ground.broker, 'orders')
      const rt = ground.runtime('orders')
      const producing = await pipeline.produce()
      const first = await upgrade({ jobName: 'orders', jar, args: pipeline.args('v1'), verify }, rt)
      expect(first.outcome, first.summary).toBe('upgraded')
      await outputAtLeast(pipeline, 300)
      const second = await upgrade({ jobName: 'orders', jar, args: pipeline.args('v2'), verify }, rt)
      expect(second.outcome, second.summary).toBe('upgraded')
      await outputAtLeast(pipeline, 300, 'v2')
      const result = await producing.finish()
      expectExactlyOnce(result)
      expect(result.counts.releases.v1?.output).toBeGreaterThan(0)
      expect(result.counts.releases.v2?.output).toBeGreaterThan(0)
      await client.jobs.cancel({ jobid: second.greenJobId! })
    })
  })
}
