/**
 * The move demo: a job moves from a Flink 1.20 cluster to a Flink 2.3 cluster with the flink-deploy CLI,
 * its state carried over in a savepoint on S3 storage both clusters share.
 *
 *   1. start a local S3 server (moto) and two Flink clusters, 1.20.5 and 2.3.0, that keep their checkpoints
 *      and savepoints in it; build the example job for each version
 *   2. deploy release v1 on the 1.20 cluster, let it count events into keyed state
 *   3. move it: `flink-deploy upgrade --flink-url <1.20> --to-flink-url <2.3>` stops it with a savepoint on
 *      S3, starts the 2.3 build on the other cluster from that savepoint, and verifies it
 *   4. show that the count continued on the new cluster, and stop everything
 *
 * Run: `./run demo:move` (or `pnpm demo:move`).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { createFlinkClient, type FlinkClient } from '@flink-deploy/core'
import { buildExampleJob, type FlinkCluster, startFlinkCluster } from '@flink-deploy/local-flink'
import { startS3Server } from '@flink-deploy/local-s3'

const cli = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url))
const say = (text: string) => process.stdout.write(`\n\x1b[1m${text}\x1b[0m\n`)
const BUCKET = 'savepoints'

requireTool('java', ['-version'], 'Java 17 (e.g. `apt-get install openjdk-17-jdk-headless`)')
requireTool('mvn', ['-v'], 'Maven (e.g. `apt-get install maven`)')
requireTool(
  process.env.PYTHON || 'python3',
  ['--version'],
  'Python 3 with venv, for the local S3 server (moto)',
)

say(
  'Starting a local S3 server, two Flink clusters (1.20 and 2.3) that keep their savepoints in it, and building the example job for each...',
)
const s3 = await startS3Server({ buckets: [BUCKET] })
const storage = {
  endpoint: s3.endpoint,
  accessKey: s3.accessKeyId,
  secretKey: s3.secretAccessKey,
  bucket: BUCKET,
}
const started = await Promise.allSettled([
  startFlinkCluster({ version: '1.20', s3: storage }),
  startFlinkCluster({ version: '2.3', s3: storage }),
])
const clusters = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
let failed = false
try {
  const failure = started.find((s) => s.status === 'rejected')
  if (failure) throw failure.reason
  const [old, next] = clusters as [FlinkCluster, FlinkCluster]
  const [oldJar, nextJar] = [await buildExampleJob(old.version), await buildExampleJob(next.version)]
  const oldClient = createFlinkClient({ baseUrl: old.url })
  const nextClient = createFlinkClient({ baseUrl: next.url })
  try {
    process.stdout.write(
      `S3 at ${s3.endpoint}, bucket ${BUCKET}\n` +
        `Flink ${old.version} at ${old.url}; savepoints in ${old.savepointDir}\n` +
        `Flink ${next.version} at ${next.url}; savepoints in ${next.savepointDir}\n`,
    )
    const stateFile = join(mkdtempSync(join(tmpdir(), 'flink-deploy-demo-move-')), 'orders.json')
    const deploy = (release: string, jar: string, target: string[] = []) =>
      runCli([
        'upgrade',
        `--flink-url=${old.url}`,
        ...target,
        '--job-name=orders',
        `--jar=${jar}`,
        '--arg=--name',
        '--arg=orders',
        '--arg=--release',
        `--arg=${release}`,
        '--arg=--rate',
        '--arg=200',
        `--state-file=${stateFile}`,
        '--verify-stabilisation=5s',
      ])

    say(`1. Deploy release v1 on Flink ${old.version}:`)
    deploy('v1', oldJar)
    const blue = await runningJob(oldClient)
    say(`2. Let v1 count events into its keyed state on Flink ${old.version}:`)
    const before = await watchState(oldClient, blue, 1_000)

    say(`3. Move the job to Flink ${next.version}, as release v2 built for ${next.version}:`)
    deploy('v2', nextJar, [`--to-flink-url=${next.url}`])

    const green = await runningJob(nextClient)
    const after = await gauges(nextClient, green)
    const restoredFrom = (await nextClient.checkpoints.statistics({ jobid: green })).latest.restored
      ?.external_path
    const leftBehind = (await oldClient.jobs.overview()).jobs.filter(
      (j) => j.name === 'orders' && j.state === 'RUNNING',
    )
    say('4. State after the move:')
    process.stdout.write(
      `On Flink ${old.version}, v1 (${blue}) had counted ${before} events before the move; ` +
        `${leftBehind.length === 0 ? 'no' : leftBehind.length} job named orders runs there now.\n` +
        `On Flink ${next.version}, v2 (${green}) restored ${after.stateCount - after.processed} from ${restoredFrom} ` +
        `and has counted ${after.processed} more: ${after.stateCount} in total.\n`,
    )
    if (after.stateCount - after.processed < before)
      throw new Error(`v2 on ${next.version} did not restore the state of v1`)
    if (leftBehind.length > 0) throw new Error(`orders still runs on Flink ${old.version}`)
    say('The state continued across the move. Stopping the clusters and the S3 server.')
  } finally {
    await oldClient.close()
    await nextClient.close()
  }
} catch (error) {
  failed = true
  process.stderr.write(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
  for (const cluster of clusters)
    process.stderr.write(`Last lines of the Flink ${cluster.version} logs:\n${await cluster.logTail(10)}\n`)
} finally {
  await Promise.all(clusters.map((cluster) => cluster.stop()))
  await s3.stop()
}
process.exitCode = failed ? 1 : 0

function requireTool(command: string, args: string[], what: string): void {
  const probe = spawnSync(command, args, { stdio: 'ignore' })
  if (probe.error || probe.status !== 0) {
    process.stderr.write(`The demo needs ${what}: \`${command}\` was not found or did not run.\n`)
    process.exit(2)
  }
}

function runCli(args: string[]): void {
  process.stdout.write(`$ flink-deploy ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}\n`)
  execFileSync(process.execPath, [cli, ...args], { stdio: 'inherit' })
}

async function runningJob(flink: FlinkClient): Promise<string> {
  const { jobs } = await flink.jobs.overview()
  const job = jobs.find((j) => j.name === 'orders' && j.state === 'RUNNING')
  if (!job) throw new Error('no RUNNING job named orders')
  return job.jid
}

/** The example job's gauges: total count held in state, and what this job instance added. */
async function gauges(flink: FlinkClient, jobid: string): Promise<{ stateCount: number; processed: number }> {
  const job = await flink.jobs.get({ jobid })
  const counter = job.vertices.find((v) => v.name.startsWith('counter'))!
  for (let wait = 100; ; wait = Math.min(wait * 1.5, 1_000)) {
    const metrics = await flink.vertices.metrics({
      jobid,
      vertexid: counter.id,
      query: { get: ['0.counter.stateCount', '0.counter.processedSinceStart'] },
    })
    const value = (id: string) => Number(metrics.find((m) => m.id === id)?.value)
    const stateCount = value('0.counter.stateCount')
    const processed = value('0.counter.processedSinceStart')
    if (Number.isFinite(stateCount) && Number.isFinite(processed)) return { stateCount, processed }
    await sleep(wait)
  }
}

async function watchState(flink: FlinkClient, jobid: string, target: number): Promise<number> {
  for (;;) {
    const { stateCount } = await gauges(flink, jobid)
    process.stdout.write(`  events counted in state: ${stateCount}\n`)
    if (stateCount >= target) return stateCount
    await sleep(1_000)
  }
}
