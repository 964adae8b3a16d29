/**
 * Moving a job to another Flink cluster: flink-deploy next to what users would script with Flink's own CLI.
 * Ground: a local S3 server (moto) and two clusters, Flink 1.20 (blue's) and 2.3 (green's), both keeping their
 * savepoints in it (test/cross-cluster/two-clusters.ts). Every switch starts from a fresh blue, the example job
 * v1 deployed on 1.20, running with a completed checkpoint; green is the 2.3 build, v2, restored from blue's
 * savepoint on S3:
 * - flink-deploy: the built CLI spawned (`node packages/cli/dist/bin.js upgrade --to-flink-url <2.3> ...
 *   --json`), verification on (1 checkpoint after the restore, 1 s stable), timed from start to exit;
 * - the script: `flink stop -p <s3 dir> <job>` through 1.20's CliFrontend, then `flink run -d -s <savepoint>
 *   <jar> <args>` through 2.3's, each with its cluster's classpath, conf dir (REST address, s3.* keys) and
 *   plugins dir. It verifies nothing: its total ends when `flink run -d` returns.
 * Downtime = blue FINISHED (1.20's timestamp) → green's last subtask RUNNING (2.3's), gap = blue FINISHED →
 * green submitted (its start-time on 2.3); both clusters run on this machine's clock. After each switch
 * green is cancelled, so the next one finds free slots. One switch with each tool comes first, not counted: it
 * warms green's cluster up.
 * Run: `node bench/move-vs-flink-cli.ts` (prints a table; no assertions). BENCH_ROUNDS sets the rounds
 * (default 3); each round runs both tools, their order alternating.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type FlinkClient, upgrade } from '@flink-deploy/core'
import { type ClusterSide, startTwoClusters, unfinishedJobs } from '../test/cross-cluster/two-clusters.ts'
import {
  buildCli,
  cliStopAndRun,
  comparisonTable,
  deployProcess,
  load,
  runningWithCheckpoint,
  type Tool,
  VERIFY,
} from './flink-cli-kit.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const JOB = 'orders'
const args = (release: string) => ['--name', JOB, '--release', release]

console.log(
  `moving a job from Flink 1.20 to 2.3, savepoint on shared S3: flink-deploy (verify: ${VERIFY.checkpoints} checkpoint after the restore, ${VERIFY.stabilisationMs} ms stable) vs Flink's CLI (stop -p on 1.20, run -d -s on 2.3, no verification); ${ROUNDS} rounds, a fresh blue for every switch, tool order alternating; ms`,
)
console.log(`load average at start: ${load()} (the machine is shared)`)
await buildCli()

const two = await startTwoClusters()
try {
  const { from, to } = two
  /** One switch with one tool, from a fresh blue; afterwards neither cluster runs the job. */
  const move = async (tool: Tool) => {
    // Each switch has its own run state: flink-deploy's release records must not outlive the job.
    const stateFile = join(mkdtempSync(join(tmpdir(), 'bench-move-')), `${JOB}.json`)
    const blue = await deployBlue(from, stateFile)
    const row =
      tool === 'deploy'
        ? await deployProcess(
            [
              ...['--flink-url', from.client.url, '--to-flink-url', to.client.url],
              ...['--state-file', stateFile, '--job-name', JOB, '--jar', to.jar],
              ...args('v2').flatMap((a) => ['--arg', a]),
            ],
            to.client,
          )
        : await cliStopAndRun(from, blue, to, to.jar, args('v2'))
    await cancelAll(to)
    const leftOnBlue = await cancelAll(from)
    if (leftOnBlue > 0) console.log(`  (${leftOnBlue} ${JOB} job(s) still ran on ${from.version}: cancelled)`)
    return row
  }
  // Not counted: the first job green's cluster runs pays for its cold JVMs (class loading, the S3 client),
  // whichever tool starts it.
  for (const tool of ['deploy', 'cli'] as const) await move(tool)
  const table = comparisonTable('move', `${from.version}→${to.version}`)
  table.header()
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Tool[] = round % 2 ? ['deploy', 'cli'] : ['cli', 'deploy']
    for (const tool of order) table.add(tool, round, await move(tool))
  }
  table.summary()
} finally {
  await two.stop()
}
console.log(`load average at end: ${load()}`)

/** Deploys v1 on blue's cluster with flink-deploy and waits until it runs with a completed checkpoint. */
async function deployBlue(side: ClusterSide, stateFile: string): Promise<string> {
  const result = await upgrade(
    { jobName: JOB, jar: side.jar, args: args('v1'), verify: VERIFY },
    { client: side.client, stateFile },
  )
  if (result.outcome !== 'upgraded') throw new Error(result.summary)
  await runningWithCheckpoint(side.client, result.greenJobId!)
  return result.greenJobId!
}

/** Cancels every job named JOB on the cluster that has not ended, and waits until each has. Returns how many. */
async function cancelAll(side: ClusterSide): Promise<number> {
  const jobs = await unfinishedJobs(side, JOB)
  await Promise.all(jobs.map((j) => side.client.jobs.cancel({ jobid: j.jid })))
  await Promise.all(jobs.map((j) => ended(side.client, j.jid)))
  return jobs.length
}

async function ended(client: FlinkClient, jobid: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const job = (await client.jobs.overview()).jobs.find((j) => j.jid === jobid)
    if (job && ['CANCELED', 'FINISHED', 'FAILED'].includes(job.state)) return
    await sleep(100)
  }
  throw new Error(`job ${jobid} did not end after its cancellation`)
}
