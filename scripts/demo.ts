/**
 * The demo: a real upgrade on a local Flink cluster, with the flink-deploy CLI as a user runs it.
 *
 *   1. start a JobManager and a TaskManager (Flink from Maven Central), build the example job
 *   2. deploy release v1, let it count events into keyed state
 *   3. upgrade to v2 (stop with a savepoint, start from it, verify)
 *   4. show that the state continued, and stop the cluster
 *
 * Run: `./run demo` (or `pnpm demo`); FLINK_VERSION=1.20 picks the LTS line instead of 2.3.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { createFlinkClient, type FlinkClient } from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'

const cli = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url))
const say = (text: string) => process.stdout.write(`\n\x1b[1m${text}\x1b[0m\n`)

requireTool('java', ['-version'], 'Java 17 (e.g. `apt-get install openjdk-17-jdk-headless`)')
requireTool('mvn', ['-v'], 'Maven (e.g. `apt-get install maven`)')

const version = selectedFlinkVersions().at(-1) ?? '2.3'
say(`Starting Flink ${version} (JobManager and TaskManager JVMs on loopback) and building the example job...`)
const [cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
const client = createFlinkClient({ baseUrl: cluster.url })
let failed = false
try {
  process.stdout.write(`Flink ${version} at ${cluster.url}; job jar ${jar}\n`)
  const stateFile = join(mkdtempSync(join(tmpdir(), 'flink-deploy-demo-')), 'orders.json')
  const deploy = (release: string) =>
    runCli([
      'upgrade',
      `--flink-url=${cluster.url}`,
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

  say('1. Deploy release v1 (nothing runs yet, so this is a first deployment):')
  deploy('v1')
  const blue = await runningJob(client)
  say('2. Let v1 count events into its keyed state:')
  const before = await watchState(client, blue, 1_000)

  say('3. Upgrade to v2 with flink-deploy (stop-and-restart):')
  deploy('v2')

  const green = await runningJob(client)
  const after = await gauges(client, green)
  say('4. State after the upgrade:')
  process.stdout.write(
    `v1 (${blue}) had counted ${before} events before the upgrade.\n` +
      `v2 (${green}) restored ${after.stateCount - after.processed} from the savepoint and has counted ${after.processed} more: ` +
      `${after.stateCount} in total.\n`,
  )
  if (after.stateCount - after.processed < before) throw new Error('v2 did not restore the state of v1')
  say('The state continued across the upgrade. Stopping the cluster.')
} catch (error) {
  failed = true
  process.stderr.write(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.stderr.write(`Last lines of the Flink logs:\n${await cluster.logTail(10)}\n`)
} finally {
  await client.close()
  await cluster.stop()
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
