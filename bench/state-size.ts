/**
 * Downtime against state size: the example job holding --state-mb N in RocksDB (incremental checkpoints) on a
 * local cluster, upgraded stop-and-restart with a canonical and a native savepoint (each NO_CLAIM and CLAIM),
 * last-state (from the latest retained checkpoint), and Flink's CLI script (stop -p, run -s: canonical,
 * NO_CLAIM), each beside the plan's estimate. Downtime = blue FINISHED (or CANCELED) → every subtask of green
 * RUNNING, from Flink's timestamps; the savepoint blue writes before it ends is shown beside it (sp.), real
 * and estimated, as it is not in that downtime. est. is the plan's estimate, which the job's earlier upgrades in
 * the run correct (the warm-up's native one, then each mode's); model is the model's alone.
 * And the exactly-once hand-over (blue-green, handover gate) of the Kafka job holding as much state
 * (--state-mb, same RocksDB cluster, a real broker, the producer at a steady rate): its downtime is the output
 * pause (the longest gap between committed output records during the upgrade, from the ledger), as blue writes
 * until green takes over; no estimate (the plan's is for stop-and-restart).
 * Run: `./run bench:state-size` (prints a table, writes bench/results/state-size-<flink>.svg and .json; no
 * assertions). BENCH_STATE_MB (default 10,100,1024) picks the sizes, BENCH_STATE_MODES (default all) the modes
 * by name, FLINK_VERSION the versions, BENCH_STATE_STORAGE=s3 puts checkpoints and savepoints in an S3 bucket
 * (moto on loopback; results in state-size-<flink>-s3.*). Rows of sizes and modes not run are kept from the
 * results file, so a partial run updates it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createFlinkClient, type FlinkClient, type UpgradeOptions, upgrade } from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'
import { type KafkaBroker, ledger, startKafkaBroker } from '@flink-deploy/local-kafka'
import { startS3Server } from '@flink-deploy/local-s3'
import { committed, KAFKA_RATE, kafkaJobArgs } from '../scripts/kafka-job.ts'
import { cliStopAndRun, load } from './flink-cli-kit.ts'
import { downtimeChart } from './state-size-chart.ts'

const SIZES = (process.env.BENCH_STATE_MB ?? '10,100,1024').split(',').map(Number)
// Checkpoints and savepoints on local disk, or in an S3 bucket (moto's server on loopback).
const STORAGE = process.env.BENCH_STATE_STORAGE ?? 'local'
if (STORAGE !== 'local' && STORAGE !== 's3')
  throw new Error(`BENCH_STATE_STORAGE must be local or s3, got ${JSON.stringify(STORAGE)}`)
const BUCKET = 'bench-state'
const s3 = STORAGE === 's3' ? await startS3Server({ buckets: [BUCKET] }) : undefined
// CLAIM last: a last-state upgrade of a job that claimed its savepoint failed on 2.3 (see the report).
const MODES: { name: string; options?: Partial<UpgradeOptions> }[] = [
  { name: 'canonical', options: { savepointFormat: 'canonical' } },
  { name: 'native', options: { savepointFormat: 'native' } },
  { name: 'last-state', options: { upgradeMode: 'last-state', lastStateMaxAgeMs: 600_000 } },
  { name: 'flink CLI' },
  { name: 'canonical CLAIM', options: { savepointFormat: 'canonical', claimMode: 'CLAIM' } },
  { name: 'native CLAIM', options: { savepointFormat: 'native', claimMode: 'CLAIM' } },
]
const HAND_OVER = 'hand-over'
const SELECTED = process.env.BENCH_STATE_MODES?.split(',').map((m) => m.trim())
const selected = (mode: string) => !SELECTED || SELECTED.includes(mode)
const MB = 1024 * 1024
const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results')
const col = (value: unknown, width: number) => String(value).padStart(width)

console.log(
  'upgrades of a RocksDB job by state size (ms, Flink timestamps; est. = the plan: restart + restore; sp. = savepoint write, not in downtime; hand-over: downtime = output pause)',
)
console.log(
  `${'flink'.padEnd(6)} ${col('MB', 5)} ${'mode'.padEnd(15)} ${col('snap MB', 8)} ${col('sp.', 6)} ${col('sp.est', 6)} ${col('restart', 7)} ${col('restore', 7)} ${col('downtime', 8)} ${col('est.', 6)} ${col('est/real', 8)} ${col('model', 6)} ${col('total', 6)}  load`,
)

/** A checkpoint that completed after `since` and holds the whole fill. */
async function fullCheckpoint(client: FlinkClient, jobid: string, mb: number, since: number): Promise<void> {
  for (;;) {
    const latest = (await client.checkpoints.statistics({ jobid })).latest.completed
    if (latest && latest.trigger_timestamp > since && (latest.state_size ?? 0) >= mb * MB) return
    await new Promise((r) => setTimeout(r, 500))
  }
}

/**
 * Blue's savepoint (or latest checkpoint), from its statistics: a finished job's are served from a cache
 * Flink refreshes every few seconds, and may not show the savepoint yet.
 */
async function lastSnapshot(client: FlinkClient, jobid: string, checkpoint: boolean) {
  for (let i = 0; ; i++) {
    const { latest } = await client.checkpoints.statistics({ jobid })
    const found = checkpoint ? latest.completed : latest.savepoint
    if (found || i >= 20) return found
    await new Promise((r) => setTimeout(r, 500))
  }
}

interface Row {
  mb: number
  mode: string
  downtime: number
  /** the plan's estimate: the model's, corrected by the job's earlier upgrades in this run */
  estimate?: number
  /** the model's alone */
  model?: number
  savepointMs?: number
  load: string
  history: unknown[]
  blueStart: unknown
  /** the hand-over's: every produced record once in the committed output? */
  ledger?: { produced: number; missing: number; duplicated: number }
}

const ORDER = [...MODES.map((m) => m.name), HAND_OVER]

/** This run's rows, and the results file's rows of the sizes and modes this run did not measure. */
function writeResults(version: string, rows: Row[]): void {
  mkdirSync(RESULTS, { recursive: true })
  const name = `state-size-${version}${s3 ? '-s3' : ''}`
  const file = join(RESULTS, `${name}.json`)
  const earlier: Row[] = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : []
  const all = [...earlier.filter((e) => !rows.some((r) => r.mb === e.mb && r.mode === e.mode)), ...rows].sort(
    (a, b) => a.mb - b.mb || ORDER.indexOf(a.mode) - ORDER.indexOf(b.mode),
  )
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`)
  writeFileSync(join(RESULTS, `${name}.svg`), downtimeChart(`Flink ${version}${s3 ? ', S3' : ''}`, all))
}

/**
 * The Kafka job holding `mb` MB, deployed with the gate and handed over to its next release while the producer
 * writes: the output pause, blue's last savepoint and the ledger. A broker per size, beside that size's cluster.
 */
async function handOver(client: FlinkClient, jar: string, mb: number) {
  const broker = await startKafkaBroker()
  try {
    return await handOverOn(client, broker, jar, mb)
  } finally {
    await broker.stop()
  }
}

async function handOverOn(client: FlinkClient, broker: KafkaBroker, jar: string, mb: number) {
  const name = `orders-kafka-${mb}mb`
  const books = ledger(broker.bootstrap, { input: `${name}-in`, output: `${name}-out` })
  await books.createTopics()
  const dir = mkdtempSync(join(tmpdir(), 'bench-state-kafka-'))
  const runtime = { client, stateFile: join(dir, `${name}.json`) }
  const release = (r: string): UpgradeOptions => ({
    jobName: name,
    jar,
    args: [
      '--name',
      name,
      '--release',
      r,
      ...kafkaJobArgs(broker.bootstrap, books),
      '--state-mb',
      String(mb),
    ],
    strategy: 'blue-green',
    handover: 'gate',
    handoverMarginMs: 5_000,
    verify: { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 600_000 },
    timeouts: { savepointMs: 1_800_000 },
  })
  const producer = await books.startProducer(KAFKA_RATE, join(dir, 'producer.log'))
  const first = await upgrade(release('v1'), runtime)
  if (first.outcome !== 'upgraded') throw new Error(first.summary)
  const blue = first.greenJobId!
  await committed(books, 'v1', 300)
  await fullCheckpoint(client, blue, mb, Date.now())
  const from = Date.now()
  const result = await upgrade(release('v2'), runtime)
  const to = Date.now()
  if (result.outcome !== 'upgraded') throw new Error(result.summary)
  await committed(books, 'v2', 300)
  const produced = await producer.stop()
  const counts = await books.settle({ timeoutMs: 60_000, window: { from, to } })
  const snapshot = await lastSnapshot(client, blue, false)
  await client.jobs.cancel({ jobid: result.greenJobId! })
  return { result, counts, produced, snapshot }
}

for (const version of selectedFlinkVersions()) {
  const rows: Row[] = []
  for (const mb of SIZES) {
    const [cluster, jar] = await Promise.all([
      startFlinkCluster({
        version,
        stateBackend: 'rocksdb',
        slots: 2,
        checkpointInterval: '2 s',
        ...(s3
          ? {
              s3: {
                endpoint: s3.endpoint,
                accessKey: s3.accessKeyId,
                secretKey: s3.secretAccessKey,
                bucket: BUCKET,
              },
            }
          : {}),
      }),
      buildExampleJob(version),
    ])
    const client = createFlinkClient({ baseUrl: cluster.url })
    const runtime = { client, stateFile: join(mkdtempSync(join(tmpdir(), 'bench-state-')), 'orders.json') }
    const args = (name: string) => ['--name', 'orders', '--release', name, '--state-mb', String(mb)]
    const release = (name: string, extra: Partial<UpgradeOptions> = {}): UpgradeOptions => ({
      jobName: 'orders',
      jar,
      args: args(name),
      verify: { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 600_000 },
      timeouts: { savepointMs: 1_800_000 },
      ...extra,
    })
    try {
      const warmBlue = async () => {
        const deployed = await upgrade(release('v1'), runtime)
        if (deployed.outcome !== 'upgraded') throw new Error(deployed.summary)
        const first = deployed.greenJobId!
        // A job that has run a while, as blue is in production: the first on a fresh cluster runs cold (its
        // first full checkpoint took 4× as long as the next job's), and so would the estimate made from it.
        await fullCheckpoint(client, first, mb, Date.now())
        return (await upgrade(release('v2', { savepointFormat: 'native' }), runtime)).greenJobId!
      }
      let blue: string | undefined
      let next = 'v1'
      for (const mode of MODES.filter((m) => selected(m.name))) {
        blue ??= await warmBlue()
        await fullCheckpoint(client, blue, mb, Date.now())
        const before = blue
        // The model's inputs, kept in the JSON to calibrate it against the measured downtime.
        const history = (await client.checkpoints.statistics({ jobid: blue })).history
          .filter((c) => c.status === 'COMPLETED')
          .map((c) => [
            c.is_savepoint ? 'sp' : 'cp',
            c.checkpointed_size,
            c.state_size,
            c.end_to_end_duration,
          ])
        const blueJob = await client.jobs.get({ jobid: blue })
        let downtime: number
        let total: number
        let estimate: Awaited<ReturnType<typeof upgrade>>['estimate']
        if (mode.options) {
          const result = await upgrade(release(next, mode.options), runtime)
          if (result.outcome !== 'upgraded') throw new Error(result.summary)
          ;({ estimate } = result)
          downtime = result.downtimeMs ?? Number.NaN
          total = result.totalMs
          blue = result.greenJobId!
        } else {
          const row = await cliStopAndRun({ cluster, client }, blue, { cluster, client }, jar, args(next))
          ;({ downtime, total } = row)
          blue = row.green
        }
        const snapshot = await lastSnapshot(client, before, mode.name === 'last-state')
        const sp = mode.name === 'last-state' ? '' : (snapshot?.end_to_end_duration ?? '')
        const est = estimate?.downtimeMs
        rows.push({
          mb,
          mode: mode.name,
          downtime,
          estimate: est,
          model: estimate?.modelDowntimeMs,
          savepointMs: sp === '' ? undefined : sp,
          load: load(),
          history,
          blueStart: {
            timestamps: blueJob.timestamps,
            vertices: blueJob.vertices.map((v) => v['start-time']),
          },
        })
        console.log(
          `${version.padEnd(6)} ${col(mb, 5)} ${mode.name.padEnd(15)} ${col(((snapshot?.state_size ?? 0) / MB).toFixed(1), 8)} ${col(sp, 6)} ${col(estimate?.savepointMs ?? '', 6)} ${col(estimate?.restartMs ?? '', 7)} ${col(estimate?.restoreMs ?? '', 7)} ${col(downtime, 8)} ${col(est ?? '', 6)} ${col(est ? (est / downtime).toFixed(2) : '', 8)} ${col(estimate?.modelDowntimeMs ?? '', 6)} ${col(total, 6)}  ${load()}`,
        )
        writeResults(version, rows)
        next = next === 'v2' ? 'v1' : 'v2'
      }
      if (selected(HAND_OVER)) {
        // green needs a slot beside blue
        if (blue) await client.jobs.cancel({ jobid: blue })
        const { result, counts, produced, snapshot } = await handOver(client, jar, mb)
        rows.push({
          mb,
          mode: HAND_OVER,
          downtime: counts.outputPauseMs,
          savepointMs: snapshot?.end_to_end_duration,
          load: load(),
          history: [],
          blueStart: undefined,
          ledger: { produced, missing: counts.missing, duplicated: counts.duplicated },
        })
        console.log(
          `${version.padEnd(6)} ${col(mb, 5)} ${HAND_OVER.padEnd(15)} ${col(((snapshot?.state_size ?? 0) / MB).toFixed(1), 8)} ${col(snapshot?.end_to_end_duration ?? '', 6)} ${col('', 6)} ${col('', 7)} ${col('', 7)} ${col(counts.outputPauseMs, 8)} ${col('', 6)} ${col('', 8)} ${col('', 6)} ${col(result.totalMs, 6)}  ${load()}  (ledger: ${produced} produced, ${counts.missing} missing, ${counts.duplicated} duplicated)`,
        )
        writeResults(version, rows)
      }
    } finally {
      await client.close().catch(() => {})
      await cluster.stop()
    }
  }
}
await s3?.stop()
