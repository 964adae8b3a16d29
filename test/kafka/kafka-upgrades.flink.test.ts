/**
 * Upgrades of a Kafka → keyed state → exactly-once Kafka job on real Flink with a real Kafka broker, the
 * producer running through each: the committed output (read_committed) holds every input record exactly once.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient, type FlinkClient, type UpgradeRuntime, upgrade } from '@flink-deploy/core'
import {
  buildExampleJob,
  type FlinkCluster,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { type KafkaBroker, startKafkaBroker } from '@flink-deploy/local-kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectExactlyOnce, kafkaPipeline, outputAtLeast } from './kafka-ground.ts'

const verify = { checkpoints: 1, stabilisationMs: 2_000, timeoutMs: 90_000 }

for (const version of selectedFlinkVersions()) {
  describe(`kafka upgrades on real Flink ${version}`, () => {
    let broker: KafkaBroker
    let cluster: FlinkCluster
    let client: FlinkClient
    let jar: string
    const runtime = (job: string): UpgradeRuntime => ({
      client,
      stateFile: join(mkdtempSync(join(tmpdir(), 'flink-deploy-kafka-')), `${job}.json`),
    })

    beforeAll(async () => {
      ;[broker, cluster, jar] = await Promise.all([
        startKafkaBroker(),
        startFlinkCluster({ version }),
        buildExampleJob(version),
      ])
      client = createFlinkClient({ baseUrl: cluster.url })
    })
    afterAll(async () => {
      await client?.close().catch(() => {})
      await Promise.all([cluster?.stop(), broker?.stop()])
    })

    it('kafka stop-and-restart v1 → v2: 0 missing, 0 duplicated in the committed output', async () => {
      const pipeline = await kafkaPipeline(broker, 'orders')
      const rt = runtime('orders')
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
