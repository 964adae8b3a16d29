/**
 * The Kafka job (Kafka in, keyed state, exactly-once Kafka out) upgraded by stop-and-restart while a producer
 * writes 300 records/s: flink-deploy beside the script around Flink's own CLI (`flink stop -p`, `flink run -d -s`),
 * interleaved, each round on its own topics. Besides downtime, gap and total (see flink-cli-kit.ts), each row has
 * the output pause, the longest gap between committed output records (broker append time, read_committed)
 * around the switch, which is what a downstream consumer sees, and the ledger of the round: input records,
 * committed output records, missing and duplicated.
 * Run: `./run bench` (or `node bench/kafka-upgrade.ts`); FLINK_VERSION selects the versions, BENCH_KAFKA_ROUNDS
 * the rounds per tool (default 2).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient, type UpgradeRuntime, upgrade } from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'
import { ledger, startKafkaBroker } from '@flink-deploy/local-kafka'
import { committed, KAFKA_RATE, kafkaJobArgs } from '../scripts/kafka-job.ts'
import {
  buildCli,
  cliStopAndRun,
  col,
  comparisonTable,
  deployProcess,
  load,
  median,
  runningWithCheckpoint,
  type Tool,
  VERIFY,
} from './flink-cli-kit.ts'

const ROUNDS = Number(process.env.BENCH_KAFKA_ROUNDS ?? 2)
const dir = mkdtempSync(join(tmpdir(), 'bench-kafka-'))

console.log(
  `Kafka job, stop-and-restart v1 → v2 with ${KAFKA_RATE} records/s produced through it: flink-deploy (verify: ${VERIFY.checkpoints} checkpoint after the restore, ${VERIFY.stabilisationMs} ms stable) vs Flink's CLI (stop -p, run -d -s); ${ROUNDS} rounds each, interleaved; ms`,
)
console.log(`load average at start: ${load()} (the machine is shared)`)

await buildCli()
const broker = await startKafkaBroker()
try {
  for (const version of selectedFlinkVersions()) {
    const [cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
    const client = createFlinkClient({ baseUrl: cluster.url })
    const side = { cluster, client }
    const table = comparisonTable('flink', version)
    const pauses: Record<Tool, number[]> = { deploy: [], cli: [] }
    try {
      table.header()
      for (let run = 1; run <= ROUNDS * 2; run++) {
        const tool: Tool = run % 2 ? 'cli' : 'deploy'
        const name = `orders-${version}-${run}`
        const books = ledger(broker.bootstrap, { input: `${name}-in`, output: `${name}-out` })
        await books.createTopics()
        const args = (release: string) => [
          '--name',
          name,
          '--release',
          release,
          ...kafkaJobArgs(books.bootstrap, books),
        ]
        const runtime: UpgradeRuntime = { client, stateFile: join(dir, `${name}.json`) }
        const release = (r: string) => ({ jobName: name, jar, args: args(r), verify: VERIFY })
        const producer = await books.startProducer(KAFKA_RATE, join(dir, `${name}-producer.log`))
        const first = await upgrade(release('v1'), runtime)
        if (first.outcome !== 'upgraded') throw new Error(first.summary)
        await committed(books, 'v1', 300)
        await runningWithCheckpoint(client, first.greenJobId!)
        const from = Date.now()
        const row =
          tool === 'deploy'
            ? await deployProcess(
                [
                  ...['--flink-url', cluster.url, '--state-file', runtime.stateFile!, '--job-name', name],
                  ...['--jar', jar, ...args('v2').flatMap((a) => ['--arg', a])],
                ],
                client,
              )
            : await cliStopAndRun(side, first.greenJobId!, side, jar, args('v2'))
        const to = Date.now()
        await committed(books, 'v2', 300)
        const produced = await producer.stop()
        const counts = await books.settle({ timeoutMs: 30_000, window: { from, to } })
        await client.jobs.cancel({ jobid: row.green })
        table.add(tool, Math.ceil(run / 2), row)
        pauses[tool].push(counts.outputPauseMs)
        console.log(
          `${''.padEnd(8)} ${''.padEnd(12)} ${''.padStart(3)} output pause ${col(counts.outputPauseMs, 6)}; ledger: produced ${produced}, input ${counts.input}, output ${counts.output}, missing ${counts.missing}, duplicated ${counts.duplicated}`,
        )
      }
      table.summary()
      const med = (tool: Tool) => median(pauses[tool])
      console.log(
        `${version.padEnd(8)} output pause (medians): flink-deploy ${med('deploy')} ms, flink CLI ${med('cli')} ms, ratio ${(med('deploy') / med('cli')).toFixed(2)}x`,
      )
    } finally {
      await client.close()
      await cluster.stop()
    }
  }
} finally {
  await broker.stop()
}
console.log(`load average at end: ${load()}`)
