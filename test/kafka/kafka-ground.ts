/**
 * The ground of the Kafka tests: a real Apache Kafka broker beside a real Flink cluster, and per job a pair of topics, the output ledger and
 * the example job's program arguments in Kafka mode. Every test runs the producer through the upgrade and reads
 * the committed output at the end.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createFlinkClient,
  type FlinkClient,
  type UpgradeOptions,
  type UpgradeRuntime,
  upgrade,
} from '@flink-deploy/core'
import { buildExampleJob, type FlinkCluster, startFlinkCluster } from '@flink-deploy/local-flink'
import {
  type KafkaBroker,
  type Ledger,
  type LedgerCounts,
  ledger,
  type Producer,
  startKafkaBroker,
} from '@flink-deploy/local-kafka'
import { afterAll, beforeAll, expect, vi } from 'vitest'
import { KAFKA_RATE, kafkaJobArgs } from '../../scripts/kafka-job.ts'

/** A broker and a Flink cluster of `version` with the example job built for it. */
export interface KafkaGround {
  broker: KafkaBroker
  cluster: FlinkCluster
  client: FlinkClient
  jar: string
  /** a runtime with its own state file, for the library's upgrade() */
  runtime(job: string): UpgradeRuntime
  stop(): Promise<void>
}

/** Starts the ground before the tests of the enclosing describe and stops it after them. */
export function useKafkaGround(version: string): () => KafkaGround {
  let ground: KafkaGround | undefined
  beforeAll(async () => {
    ground = await startKafkaGround(version)
  })
  afterAll(async () => {
    await ground?.stop()
  })
  return () => ground!
}

async function startKafkaGround(version: string): Promise<KafkaGround> {
  const [broker, cluster, jar] = await Promise.all([
    startKafkaBroker(),
    startFlinkCluster({ version }),
    buildExampleJob(version),
  ])
  const client = createFlinkClient({ baseUrl: cluster.url })
  return {
    broker,
    cluster,
    client,
    jar,
    runtime: (job) => ({
      client,
      stateFile: join(mkdtempSync(join(tmpdir(), 'flink-deploy-kafka-')), `${job}.json`),
    }),
    async stop() {
      await client.close().catch(() => {})
      await Promise.all([cluster.stop(), broker.stop()])
    },
  }
}

export interface Producing {
  finish(): Promise<{ produced: number; counts: LedgerCounts }>
}

export interface KafkaPipeline {
  name: string
  ledger: Ledger
  /** the example job's arguments for `release` in Kafka mode (`extra` goes last) */
  args(release: string, extra?: string[]): string[]
  /** Starts the producer; `finish` stops it and returns the ledger once the output has caught up. */
  produce(): Promise<Producing>
}

let n = 0

/** Topics, ledger and program arguments of a job `name` on `broker` (topic names unique per call). */
export async function kafkaPipeline(
  broker: KafkaBroker,
  name: string,
  options: { partitions?: number } = {},
): Promise<KafkaPipeline> {
  const id = `${name}-${process.pid}-${++n}`
  const topics = { input: `${id}-in`, output: `${id}-out` }
  const l = ledger(broker.bootstrap, topics)
  await l.createTopics(options.partitions)
  const logDir = mkdtempSync(join(tmpdir(), 'kafka-producer-'))
  return {
    name,
    ledger: l,
    args: (release, extra = []) => [
      '--name',
      name,
      '--release',
      release,
      ...kafkaJobArgs(broker.bootstrap, topics),
      ...extra,
    ],
    async produce() {
      const producer: Producer = await l.startProducer(KAFKA_RATE, join(logDir, `${id}.log`))
      return {
        async finish() {
          const produced = await producer.stop()
          return { produced, counts: await l.settle({ timeoutMs: 30_000 }) }
        },
      }
    },
  }
}

/**
 * Starts the producer and deploys v1 of `name` with the library (no blue yet); resolves once v1 commits output.
 */
export async function deployWithProducer(
  ground: KafkaGround,
  name: string,
  verify: UpgradeOptions['verify'],
): Promise<{ pipeline: KafkaPipeline; runtime: UpgradeRuntime; producing: Producing; blueId: string }> {
  const pipeline = await kafkaPipeline(ground.broker, name)
  const runtime = ground.runtime(name)
  const producing = await pipeline.produce()
  const first = await upgrade({ jobName: name, jar: ground.jar, args: pipeline.args('v1'), verify }, runtime)
  expect(first.outcome, first.summary).toBe('upgraded')
  await outputAtLeast(pipeline, 300)
  return { pipeline, runtime, producing, blueId: first.greenJobId! }
}

/** `flink-deploy upgrade` of the Kafka job `pipeline` to `release` on `flinkUrl`, with a short verification and JSON output. */
export function cliUpgradeArgs(
  flinkUrl: string,
  pipeline: KafkaPipeline,
  jar: string,
  release: string,
): string[] {
  return [
    'upgrade',
    '--flink-url',
    flinkUrl,
    '--job-name',
    pipeline.name,
    '--jar',
    jar,
    '--args-json',
    JSON.stringify(pipeline.args(release)),
    '--verify-stabilisation',
    '2s',
    '--verify-timeout',
    '90s',
    '--json',
  ]
}

/** Waits until the committed output holds at least `min` records (of `release`, if given): the job runs and commits. */
export async function outputAtLeast(
  pipeline: KafkaPipeline,
  min: number,
  release?: string,
): Promise<LedgerCounts> {
  return vi.waitFor(
    async () => {
      const counts = await pipeline.ledger.count()
      const output = release ? (counts.releases[release]?.output ?? 0) : counts.output
      if (output < min) throw new Error(`${output} committed output records, waiting for ${min}`)
      return counts
    },
    { timeout: 90_000, interval: 500 },
  )
}

/** Every produced record is in the committed output exactly once. */
export function expectExactlyOnce(result: { produced: number; counts: LedgerCounts }): void {
  const { produced, counts } = result
  expect(counts, JSON.stringify(counts)).toMatchObject({ input: produced, missing: 0, duplicated: 0 })
  expect(counts.output).toBe(produced)
}
