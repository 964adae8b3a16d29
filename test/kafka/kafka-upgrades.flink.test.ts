/**
 * Upgrades of a Kafka → keyed state → exactly-once Kafka job on real Flink with a real Kafka broker, the
 * producer running through each: the committed output (read_committed) holds every input record exactly once.
 */
import { upgrade } from '@flink-deploy/core'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { describe, expect, it } from 'vitest'
import { type CliRun, ndjson, runCli, startCli, tempDir } from '../../packages/cli/src/test-kit.ts'
import {
  cliUpgradeArgs,
  deployWithProducer,
  expectExactlyOnce,
  kafkaPipeline,
  outputAtLeast,
  useKafkaGround,
} from './kafka-ground.ts'

const verify = { checkpoints: 1, stabilisationMs: 2_000, timeoutMs: 90_000 }
const output = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n${run.stderr}`

for (const version of selectedFlinkVersions()) {
  describe(`kafka upgrades on real Flink ${version}`, () => {
    const ground = useKafkaGround(version)

    it('kafka stop-and-restart v1 → v2: 0 missing, 0 duplicated in the committed output', async () => {
      const { pipeline, runtime, producing } = await deployWithProducer(ground(), 'orders', verify)
      const second = await upgrade(
        { jobName: 'orders', jar: ground().jar, args: pipeline.args('v2'), verify },
        runtime,
      )
      expect(second.outcome, second.summary).toBe('upgraded')
      await outputAtLeast(pipeline, 300, 'v2')
      const result = await producing.finish()
      expectExactlyOnce(result)
      expect(result.counts.releases.v1?.output).toBeGreaterThan(0)
      expect(result.counts.releases.v2?.output).toBeGreaterThan(0)
      await ground().client.jobs.cancel({ jobid: second.greenJobId! })
    })

    it('kafka rollback: a green that fails on its first record is rolled back; blue continues exactly once', async () => {
      const { pipeline, runtime, producing } = await deployWithProducer(ground(), 'refunds', verify)
      const before = await pipeline.ledger.count()
      const failing = ['--fail-at-record', '0', '--restart-attempts', '0']
      const result = await upgrade(
        { jobName: 'refunds', jar: ground().jar, args: pipeline.args('v2', failing), verify },
        runtime,
      )
      expect(result.outcome, result.summary).toBe('rolled-back')
      const blue = result.running.find((r) => r.role === 'blue-restarted')!
      expect(blue).toBeDefined()
      await outputAtLeast(pipeline, before.output + 300)
      const finished = await producing.finish()
      expectExactlyOnce(finished)
      expect(finished.counts.releases.v2).toBeUndefined()
      await ground().client.jobs.cancel({ jobid: blue.jobId })
    })

    it('kafka resume: the CLI SIGKILLed while verifying green, then `resume` finishes the upgrade exactly once', async () => {
      const { cluster, jar } = ground()
      const pipeline = await kafkaPipeline(ground().broker, 'invoices')
      const cwd = tempDir('flink-deploy-kafka-resume-')
      const producing = await pipeline.produce()
      const first = await runCli(cliUpgradeArgs(cluster.url, pipeline, jar, 'v1'), {
        cwd,
        timeoutMs: 150_000,
      })
      expect(first.code, output(first)).toBe(0)
      await outputAtLeast(pipeline, 300)

      const killed = startCli(cliUpgradeArgs(cluster.url, pipeline, jar, 'v2'), { cwd, timeoutMs: 200_000 })
      await killed.waitFor(/"type":"step-entered".*"step":"verifyingGreen"/, 'stdout', 150_000)
      killed.child.kill('SIGKILL')
      expect((await killed.done).signal).toBe('SIGKILL')
      const resumed = await runCli(
        ['resume', '--flink-url', cluster.url, '--job-name', 'invoices', '--json'],
        {
          cwd,
          timeoutMs: 200_000,
        },
      )
      expect(resumed.code, output(resumed)).toBe(0)
      const r = ndjson(resumed.stdout).at(-1)!
      expect(r.outcome).toBe('upgraded')
      await outputAtLeast(pipeline, 300, 'v2')
      const finished = await producing.finish()
      expectExactlyOnce(finished)
      expect(finished.counts.releases.v1?.output).toBeGreaterThan(0)
      await ground().client.jobs.cancel({ jobid: r.greenJobId as string })
    })
  })
}
