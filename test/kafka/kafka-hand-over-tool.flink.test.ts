/**
 * The tool's exactly-once hand-over (strategy blue-green, handover gate) on real Flink with the real broker and
 * the producer running: what test/kafka/kafka-hand-over.flink.test.ts does by hand, done by upgrade(). Blue is
 * deployed by the tool with the gate (a first release runs as blue), green is started from a savepoint of the
 * running blue with its gate in standby, T is chosen from both gates' metrics and published beside the run state,
 * and blue is stopped once its watermark passed T: every record is in the committed output exactly once. A green
 * that fails before T is cancelled and blue runs on untouched, T never published. The CLI killed once T is
 * published hands over with that T when `resume` continues the run.
 */
import { existsSync, readFileSync } from 'node:fs'
import { type UpgradeOptions, upgrade } from '@flink-deploy/core'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { describe, expect, it } from 'vitest'
import { ndjson, runCli, startCli, tempDir } from '../../packages/cli/src/test-kit.ts'
import {
  cliUpgradeArgs,
  expectExactlyOnce,
  type KafkaGround,
  kafkaPipeline,
  outputAtLeast,
  useKafkaGround,
} from './kafka-ground.ts'

const verify = { checkpoints: 1, stabilisationMs: 2_000, timeoutMs: 90_000 }

async function blueWithGate(ground: KafkaGround, name: string) {
  const pipeline = await kafkaPipeline(ground.broker, name)
  const runtime = ground.runtime(name)
  const producing = await pipeline.produce()
  const options = (release: string, extra: string[] = []): UpgradeOptions => ({
    jobName: name,
    jar: ground.jar,
    args: pipeline.args(release, extra),
    strategy: 'blue-green',
    handover: 'gate',
    handoverMarginMs: 5_000,
    verify,
  })
  const first = await upgrade(options('v1'), runtime)
  expect(first.outcome, first.summary).toBe('upgraded')
  await outputAtLeast(pipeline, 300, 'v1')
  const handoverFile = runtime.stateFile!.replace(/\.json$/, '.handover.json')
  return { pipeline, runtime, producing, options, blueId: first.greenJobId!, handoverFile }
}

for (const version of selectedFlinkVersions()) {
  describe(`kafka hand-over by the tool on real Flink ${version}`, () => {
    const ground = useKafkaGround(version)

    it('hand-over by the tool: blue writes before T, green from T on; 0 missing, 0 duplicated', async () => {
      const { client } = ground()
      const { pipeline, runtime, producing, options, blueId, handoverFile } = await blueWithGate(
        ground(),
        'orders',
      )
      const phases: string[] = []
      const result = await upgrade(options('v2'), {
        ...runtime,
        onEvent: (e) => {
          if (e.type === 'handover') phases.push(e.phase)
        },
      })
      expect(result.outcome, result.summary).toBe('upgraded')
      expect(phases).toEqual([
        'cutover-chosen',
        'cutover-published',
        'cutover-taken',
        'green-passing',
        'blue-past-cutover',
      ])
      expect(result.handover?.cutoverMillis).toBeGreaterThan(0)
      expect(existsSync(handoverFile)).toBe(true)
      expect((await client.jobs.status({ jobid: blueId })).status).toBe('FINISHED')
      // green's own sink (uid and prefix of its colour) left blue's transactions alone
      expect((await client.jobs.exceptions({ jobid: blueId })).exceptionHistory.entries).toEqual([])
      await outputAtLeast(pipeline, 300, 'v2')

      const counted = await producing.finish()
      console.log(
        `Flink ${version} hand-over by the tool at T = ${result.handover?.cutoverMillis}: ${counted.produced} produced, ${JSON.stringify(counted.counts)}; steps ${JSON.stringify(result.steps)}`,
      )
      expectExactlyOnce(counted)
      expect(counted.counts.releases.v1?.output).toBeGreaterThan(0)
      expect(counted.counts.releases.v2?.output).toBeGreaterThan(0)
      await client.jobs.cancel({ jobid: result.greenJobId! })
    })

    it('hand-over by the tool, twice in a row (v1 blue → v2 green → v1 again, blue): 0 missing, 0 duplicated', async () => {
      const { client } = ground()
      const { pipeline, runtime, producing, options, blueId, handoverFile } = await blueWithGate(
        ground(),
        'refunds',
      )
      const second = await upgrade(options('v2'), runtime)
      expect(second.outcome, second.summary).toBe('upgraded')
      expect((await client.jobs.status({ jobid: blueId })).status).toBe('FINISHED')
      await outputAtLeast(pipeline, 300, 'v2')
      const v1Before = (await pipeline.ledger.count()).releases.v1?.output ?? 0

      // The example job knows the tags v1 and v2: the third release writes v1 again, as the blue colour again.
      const steps: string[] = []
      const third = await upgrade(options('v1'), {
        ...runtime,
        onEvent: (e) => {
          if (e.type === 'step-entered') steps.push(e.step)
        },
      })
      expect(third.outcome, third.summary).toBe('upgraded')
      expect(steps.slice(0, 4)).toEqual([
        'preflight',
        'openingHandover',
        'confirmingBlueReads',
        'savepointingBlue',
      ])
      expect(third.handover?.cutoverMillis).toBeGreaterThan(second.handover!.cutoverMillis!)
      expect(JSON.parse(readFileSync(handoverFile, 'utf8'))).toMatchObject({
        from: 'green',
        cutoverMillis: third.handover?.cutoverMillis,
        greenPasses: true,
      })
      expect((await client.jobs.status({ jobid: second.greenJobId! })).status).toBe('FINISHED')
      // the third release's sink (blue's uid and prefix again) left the second's transactions alone
      expect((await client.jobs.exceptions({ jobid: second.greenJobId! })).exceptionHistory.entries).toEqual(
        [],
      )
      await outputAtLeast(pipeline, v1Before + 300, 'v1')
      const v2After = (await pipeline.ledger.count()).releases.v2?.output ?? 0

      const counted = await producing.finish()
      console.log(
        `Flink ${version} two hand-overs by the tool at T = ${second.handover?.cutoverMillis} and ${third.handover?.cutoverMillis}: ${counted.produced} produced, ${JSON.stringify(counted.counts)}`,
      )
      expectExactlyOnce(counted)
      expect(counted.counts.releases.v2?.output).toBe(v2After)
      await client.jobs.cancel({ jobid: third.greenJobId! })
    })

    // With withIdleness Flink marks the source subtask without a partition IDLE; without it (seen on 2.3) the
    // subtask is not marked, and only its missing watermark tells.
    for (const [idleness, flags] of [
      ['withIdleness', ['--idleness', '1000']],
      ['no idleness', []],
    ] as const)
      it(`hand-over by the tool refused for an idle source (2 source subtasks, 1 partition, ${idleness}): blue untouched; 0 missing, 0 duplicated`, async () => {
        const { client } = ground()
        const name = idleness === 'withIdleness' ? 'ledgers' : 'journals'
        const pipeline = await kafkaPipeline(ground().broker, name, { partitions: 1 })
        const runtime = ground().runtime(name)
        const producing = await pipeline.produce()
        // the gate chained to each source subtask: one of them reads no partition, so its gate's input is idle
        const options = (release: string): UpgradeOptions => ({
          jobName: name,
          jar: ground().jar,
          args: pipeline.args(release, ['--gate-at-source', ...flags]),
          parallelism: 2,
          strategy: 'blue-green',
          handover: 'gate',
          handoverMarginMs: 5_000,
          verify,
        })
        const first = await upgrade(options('v1'), runtime)
        expect(first.outcome, first.summary).toBe('upgraded')
        const blueId = first.greenJobId!
        await outputAtLeast(pipeline, 300, 'v1')

        const steps: string[] = []
        const result = await upgrade(options('v2'), {
          ...runtime,
          onEvent: (e) => {
            if (e.type === 'step-entered') steps.push(e.step)
          },
        })
        expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
        expect(result.error).toMatchObject({ step: 'preflight', code: 'HANDOVER_REFUSED' })
        // which subtask reads the one partition is Kafka's assignment; the other one is idle
        expect(result.error?.message).toMatch(/the input of its gate subtask [01] of 2 is idle/)
        expect(steps).toEqual(['preflight'])
        // blue untouched: running, no savepoint, no other job, no hand-over object, and it goes on writing
        expect((await client.jobs.status({ jobid: blueId })).status).toBe('RUNNING')
        expect((await client.checkpoints.statistics({ jobid: blueId })).latest.savepoint ?? null).toBeNull()
        const live = (await client.jobs.overview()).jobs.filter((j) => j.state === 'RUNNING')
        expect(live.map((j) => j.jid)).toEqual([blueId])
        expect(existsSync(runtime.stateFile!.replace(/\.json$/, '.handover.json'))).toBe(false)
        const before = (await pipeline.ledger.count()).releases.v1?.output ?? 0
        await outputAtLeast(pipeline, before + 100, 'v1')

        const counted = await producing.finish()
        console.log(
          `Flink ${version} idle source (${idleness}) refused: ${result.error?.message}; ${counted.produced} produced, ${JSON.stringify(counted.counts)}`,
        )
        expectExactlyOnce(counted)
        expect(counted.counts.releases.v2?.output ?? 0).toBe(0)
        await client.jobs.cancel({ jobid: blueId })
      })

    it('hand-over by the tool: a green that fails before T is cancelled, blue untouched; 0 missing, 0 duplicated', async () => {
      const { client } = ground()
      const { pipeline, runtime, producing, options, blueId, handoverFile } = await blueWithGate(
        ground(),
        'payments',
      )
      const result = await upgrade(
        options('v2', ['--fail-at-record', '0', '--restart-attempts', '0']),
        runtime,
      )
      expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
      expect(result.handover?.phase).toBe('standby')
      // step 0's object only: blue named as handing over, no T
      expect(JSON.parse(readFileSync(handoverFile, 'utf8'))).toEqual({
        version: result.handover?.version,
        from: 'blue',
      })
      expect((await client.jobs.status({ jobid: blueId })).status).toBe('RUNNING')
      const before = (await pipeline.ledger.count()).releases.v1?.output ?? 0
      await outputAtLeast(pipeline, before + 100, 'v1')

      const counted = await producing.finish()
      console.log(
        `Flink ${version} green failing before T: ${counted.produced} produced, ${JSON.stringify(counted.counts)}`,
      )
      expectExactlyOnce(counted)
      expect(counted.counts.releases.v2?.output ?? 0).toBe(0)
      await client.jobs.cancel({ jobid: blueId })
    })

    it('hand-over by the tool: the CLI SIGKILLed once T is published, then `resume` hands over with the same T; 0 missing, 0 duplicated', async () => {
      const { cluster, jar, client } = ground()
      const pipeline = await kafkaPipeline(ground().broker, 'invoices')
      const cwd = tempDir('flink-deploy-kafka-hand-over-resume-')
      const producing = await pipeline.produce()
      const gate = ['--strategy', 'blue-green', '--handover', 'gate', '--handover-margin', '5s']
      const first = await runCli([...cliUpgradeArgs(cluster.url, pipeline, jar, 'v1'), ...gate], {
        cwd,
        timeoutMs: 150_000,
      })
      expect(first.code, first.stderr).toBe(0)
      const blueId = ndjson(first.stdout).at(-1)!.greenJobId as string
      await outputAtLeast(pipeline, 300, 'v1')

      const killed = startCli([...cliUpgradeArgs(cluster.url, pipeline, jar, 'v2'), ...gate], {
        cwd,
        timeoutMs: 200_000,
      })
      await killed.waitFor(/"type":"handover".*"phase":"cutover-published"/, 'stdout', 150_000)
      killed.child.kill('SIGKILL')
      expect((await killed.done).signal).toBe('SIGKILL')
      const t = Number(/"phase":"cutover-published","cutoverMillis":(\d+)/.exec(killed.stdout())?.[1])
      expect(t).toBeGreaterThan(0)
      const resumed = await runCli(
        ['resume', '--flink-url', cluster.url, '--job-name', 'invoices', '--json'],
        {
          cwd,
          timeoutMs: 200_000,
        },
      )
      expect(resumed.code, resumed.stderr).toBe(0)
      const r = ndjson(resumed.stdout).at(-1)!
      expect(r.outcome).toBe('upgraded')
      expect(r.handover).toMatchObject({ phase: 'blue-past-cutover', cutoverMillis: t })
      expect((await client.jobs.status({ jobid: blueId })).status).toBe('FINISHED')
      await outputAtLeast(pipeline, 300, 'v2')
      const counted = await producing.finish()
      console.log(
        `Flink ${version} hand-over killed after T = ${t} was published, resumed: ${counted.produced} produced, ${JSON.stringify(counted.counts)}`,
      )
      expectExactlyOnce(counted)
      expect(counted.counts.releases.v1?.output).toBeGreaterThan(0)
      expect(counted.counts.releases.v2?.output).toBeGreaterThan(0)
      await client.jobs.cancel({ jobid: r.greenJobId as string })
    })
  })
}
