/**
 * The Kafka job (exactly-once Kafka sink) upgraded three ways while a producer writes through it: stop-and-restart,
 * blue-green as it was before the hand-over (accepting duplicates and fencing), and blue-green with the
 * exactly-once hand-over (handover gate). Per row: the output pause (longest gap between committed output records
 * around the switch, what a downstream consumer sees; `at`: when it began, from the upgrade's start; `switch`: from v1's last committed record to v2's first, negative
 * where they overlap), the ledger
 * (missing, duplicated) and the run's total time.
 * The bars: the hand-over's output pause is no longer than blue's checkpoint interval (1 s here) plus 1 s,
 * and with about 75 MB of keyed state (--state-mb, heap backend) no longer than with 1 MB.
 * Run: `./run bench:hand-over` (or `node bench/kafka-hand-over.ts`); FLINK_VERSION selects the versions,
 * BENCH_STATE_MB the state sizes (default 1,75: stop-and-restart and the hand-over at each),
 * BENCH_STATE_VALUE_BYTES the size of each fill value (default 64: 75 MB is 1.2 M keys, whose restore costs
 * stop-and-restart seconds; 1 KiB values restore in well under a second).
 * Plain blue-green runs once, at the first size, last on each cluster: its fencing can take a TaskManager down
 * (seen on 2.3).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createFlinkClient, type UpgradeOptions, upgrade } from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'
import { type LedgerCounts, ledger, startKafkaBroker } from '@flink-deploy/local-kafka'
import { committed, KAFKA_RATE, kafkaJobArgs } from '../scripts/kafka-job.ts'
import { col, load, VERIFY } from './flink-cli-kit.ts'

const dir = mkdtempSync(join(tmpdir(), 'bench-hand-over-'))
const switchMs = ({ releases: { v1, v2 } }: LedgerCounts) => (v1 && v2 ? v2.firstAt - v1.lastAt : '')
type Way = 'stop-and-restart' | 'hand-over' | 'blue-green'
const WAYS: Record<Way, Partial<UpgradeOptions>> = {
  'stop-and-restart': { strategy: 'stop-and-restart' },
  'hand-over': { strategy: 'blue-green', handover: 'gate', handoverMarginMs: 5_000 },
  'blue-green': { strategy: 'blue-green', acceptDuplicatesAndFencing: true },
}
const SIZES = (process.env.BENCH_STATE_MB ?? '1,75').split(',').map(Number)
const VALUE_BYTES = process.env.BENCH_STATE_VALUE_BYTES ?? '64'
const RUNS: { mb: number; way: Way }[] = [
  ...SIZES.flatMap((mb) => (['stop-and-restart', 'hand-over'] as const).map((way) => ({ mb, way }))),
  { mb: SIZES[0]!, way: 'blue-green' },
]

console.log(
  `Kafka job v1 → v2 with ${KAFKA_RATE} records/s produced through it (checkpoint interval 1000 ms, heap state of --state-mb MB in ${VALUE_BYTES}-byte values): output pause, ledger and total time per way; ms`,
)
console.log(`load average at start: ${load()} (the machine is shared)`)
console.log(
  `${'flink'.padEnd(8)} ${'MB'.padStart(4)} ${'way'.padEnd(17)} ${'pause'.padStart(6)} ${'at'.padStart(6)} ${'switch'.padStart(6)} ${'total'.padStart(7)} ${'produced'.padStart(9)} ${'missing'.padStart(8)} ${'duplicated'.padStart(11)}  outcome`,
)

const broker = await startKafkaBroker()
try {
  for (const version of selectedFlinkVersions()) {
    const [cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
    const client = createFlinkClient({ baseUrl: cluster.url })
    try {
      for (const { mb, way } of RUNS) {
        const name = `orders-${version}-${mb}mb-${way}`
        const books = ledger(broker.bootstrap, { input: `${name}-in`, output: `${name}-out` })
        await books.createTopics()
        const runtime = { client, stateFile: join(dir, `${name}.json`) }
        const release = (r: string): UpgradeOptions => ({
          jobName: name,
          jar,
          args: [
            '--name',
            name,
            '--release',
            r,
            ...kafkaJobArgs(books.bootstrap, books),
            '--state-mb',
            String(mb),
            '--state-value-bytes',
            VALUE_BYTES,
          ],
          verify: VERIFY,
          ...WAYS[way],
        })
        const producer = await books.startProducer(KAFKA_RATE, join(dir, `${name}-producer.log`))
        const first = await upgrade(release('v1'), runtime)
        if (first.outcome !== 'upgraded') throw new Error(first.summary)
        await committed(books, 'v1', 300)
        const from = Date.now()
        const second = await upgrade(release('v2'), runtime)
        const to = Date.now()
        // Plain blue-green on this sink is the damage being measured: green fences blue, the run may end badly.
        if (second.outcome !== 'upgraded' && way !== 'blue-green') throw new Error(second.summary)
        if (second.outcome === 'upgraded') await committed(books, 'v2', 300)
        else await sleep(5_000)
        const produced = await producer.stop()
        const counts = await books.settle({ timeoutMs: 30_000, window: { from, to } })
        for (const { jobId } of second.running)
          await client.jobs.cancel({ jobid: jobId }).catch(() => undefined)
        console.log(
          `${version.padEnd(8)} ${col(mb, 4)} ${way.padEnd(17)} ${col(counts.outputPauseMs, 6)} ${col(counts.outputPauseAt - from, 6)} ${col(switchMs(counts), 6)} ${col(second.totalMs, 7)} ${String(produced).padStart(9)} ${String(counts.missing).padStart(8)} ${String(counts.duplicated).padStart(11)}  ${second.outcome}`,
        )
      }
    } finally {
      await client.close()
      await cluster.stop()
    }
  }
} finally {
  await broker.stop()
}
console.log(`load average at end: ${load()}`)
