/**
 * A cross-cluster move of the Kafka → exactly-once Kafka job from Flink 1.20 to Flink 2.3 (savepoint on the S3
 * server both clusters share), the producer running through it: the committed output holds every input record
 * exactly once, the 1.20 release's records and then the 2.3 release's.
 */
import { type KafkaBroker, startKafkaBroker } from '@flink-deploy/local-kafka'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ndjson, runCli, tempDir } from '../../packages/cli/src/test-kit.ts'
import { liveJobs, startTwoClusters, type TwoClusters } from '../cross-cluster/two-clusters.ts'
import { cliUpgradeArgs, expectExactlyOnce, kafkaPipeline, outputAtLeast } from './kafka-ground.ts'

describe('kafka cross-cluster move from Flink 1.20 to 2.3', () => {
  let two: TwoClusters
  let broker: KafkaBroker
  beforeAll(async () => {
    ;[two, broker] = await Promise.all([startTwoClusters(), startKafkaBroker()])
  })
  afterAll(async () => {
    await Promise.all([two?.stop(), broker?.stop()])
  })

  it('kafka move 1.20 → 2.3: 0 missing, 0 duplicated in the committed output', {
    timeout: 300_000,
  }, async () => {
    const { from, to } = two
    const pipeline = await kafkaPipeline(broker, 'shipments')
    const cwd = tempDir('flink-deploy-kafka-move-')
    const cli = (jar: string, release: string, flags: string[] = []) =>
      runCli([...cliUpgradeArgs(from.url, pipeline, jar, release), ...flags], {
        cwd,
        env: two.env,
        timeoutMs: 200_000,
      })
    const producing = await pipeline.produce()
    const first = await cli(from.jar, 'v1')
    expect(first.code, first.stdout + first.stderr).toBe(0)
    await outputAtLeast(pipeline, 300)
    const moved = await cli(to.jar, 'v2', ['--to-flink-url', to.url])
    expect(moved.code, moved.stdout + moved.stderr).toBe(0)
    const r = ndjson(moved.stdout).at(-1)!
    expect(r.outcome).toBe('upgraded')
    expect(await liveJobs(from, 'shipments')).toEqual([])
    expect(await liveJobs(to, 'shipments')).toEqual([{ jid: r.greenJobId, state: 'RUNNING' }])
    await outputAtLeast(pipeline, 300, 'v2')
    const finished = await producing.finish()
    expectExactlyOnce(finished)
    expect(finished.counts.releases.v1?.output).toBeGreaterThan(0)
  })
})
