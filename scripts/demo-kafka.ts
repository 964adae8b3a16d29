/**
 * The Kafka demo: the same upgrade as `./run demo`, on the example job in Kafka mode (Kafka in, keyed state,
 * exactly-once Kafka out), with a producer writing through the upgrade and the ledger reading the committed
 * output at the end.
 *
 *   1. start a Kafka broker and a Flink cluster (both from Maven Central), build the example job
 *   2. produce records at a steady rate; deploy release v1
 *   3. upgrade to v2 with flink-deploy (stop-and-restart) while the producer keeps writing
 *   4. stop the producer, read the committed output (read_committed): every input record once
 *
 * Run: `./run demo:kafka`; FLINK_VERSION=1.20 picks the LTS line instead of 2.3.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient } from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'
import { type LedgerCounts, ledger, startKafkaBroker } from '@flink-deploy/local-kafka'
import { requireTool, runCli, runningJob, say, upgradeArgs } from './demo-kit.ts'
import { KAFKA_RATE, kafkaJobArgs } from './kafka-job.ts'

requireTool('java', ['-version'], 'Java 17 (e.g. `apt-get install openjdk-17-jdk-headless`)')
requireTool('mvn', ['-v'], 'Maven (e.g. `apt-get install maven`)')

const version = selectedFlinkVersions().at(-1) ?? '2.3'
say(`Starting a Kafka broker and Flink ${version} on loopback, and building the example job...`)
const [broker, cluster, jar] = await Promise.all([
  startKafkaBroker(),
  startFlinkCluster({ version }),
  buildExampleJob(version),
])
const client = createFlinkClient({ baseUrl: cluster.url })
const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-demo-kafka-'))
let failed = false
try {
  process.stdout.write(`Kafka at ${broker.bootstrap}; Flink ${version} at ${cluster.url}; job jar ${jar}\n`)
  const topics = { input: 'orders-in', output: 'orders-out' }
  const books = ledger(broker.bootstrap, topics)
  await books.createTopics()
  const programArgs = kafkaJobArgs(broker.bootstrap, topics)
  const deploy = (release: string) =>
    runCli(upgradeArgs(cluster.url, jar, release, join(dir, 'orders.json'), programArgs))

  say(`1. Produce ${KAFKA_RATE} records/s into ${topics.input}, and deploy release v1:`)
  const producer = await books.startProducer(KAFKA_RATE, join(dir, 'producer.log'))
  deploy('v1')
  await committed(books, 'v1', 500)

  say('2. Upgrade to v2 with flink-deploy (stop-and-restart) while the producer keeps writing:')
  deploy('v2')
  await runningJob(client)
  await committed(books, 'v2', 500)

  say('3. Stop the producer and read the committed output (isolation.level=read_committed):')
  const produced = await producer.stop()
  const counts = await books.settle({ timeoutMs: 30_000 })
  for (const [release, r] of Object.entries(counts.releases))
    process.stdout.write(`  ${release} committed ${r.output} records\n`)
  process.stdout.write(`  longest pause between committed output records: ${counts.outputPauseMs} ms\n`)
  process.stdout.write(
    `Ledger: input ${counts.input}, output ${counts.output}, missing ${counts.missing}, duplicated ${counts.duplicated}\n`,
  )
  if (counts.input !== produced || counts.missing > 0 || counts.duplicated > 0)
    throw new Error(`the output is not exactly the input (${produced} produced)`)
  say('Every input record is in the committed output exactly once. Stopping Flink and Kafka.')
} catch (error) {
  failed = true
  process.stderr.write(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.stderr.write(`Last lines of the Flink logs:\n${await cluster.logTail(10)}\n`)
} finally {
  await client.close()
  await Promise.all([cluster.stop(), broker.stop()])
}
process.exitCode = failed ? 1 : 0

/** Waits until `release` has committed `min` records, showing the count. */
async function committed(
  books: ReturnType<typeof ledger>,
  release: string,
  min: number,
): Promise<LedgerCounts> {
  for (;;) {
    const counts = await books.count()
    const n = counts.releases[release]?.output ?? 0
    process.stdout.write(`  ${release} records in the committed output: ${n}\n`)
    if (n >= min) return counts
    await new Promise((r) => setTimeout(r, 1_000))
  }
}
