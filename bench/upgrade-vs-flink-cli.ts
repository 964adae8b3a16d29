/**
 * flink-deploy next to a script around Flink's own CLI, on one local cluster in one run, interleaved:
 * - flink-deploy: a stop-and-restart upgrade with verification on (1 checkpoint after the restore, 1 s stable),
 *   the built CLI spawned as the README runs it (`node packages/cli/dist/bin.js upgrade ... --json`);
 * - the script: `flink stop -p <dir> <job>`, then `flink run -d -s <savepoint> <jar> <args>`, each through the
 *   CliFrontend class on the cluster's classpath with FLINK_CONF_DIR = the cluster's conf dir (what bin/flink
 *   runs). It verifies nothing: its total ends when `flink run -d` returns.
 * Downtime = blue FINISHED → green's last subtask RUNNING and gap = blue FINISHED → green submitted, both from
 * Flink's timestamps; total = process start to exit of the flink-deploy CLI or of the two Flink CLI calls;
 * own = the total flink-deploy's result reports.
 * Then blue-green upgrades, with the records the sources write counted across the switch (from Flink's
 * metric store, refreshed every second on the local cluster): the longest pause in which no job wrote
 * anything shows there is no downtime.
 * Run: `./run bench` (prints tables; no assertions). FLINK_VERSION selects the versions, BENCH_ROUNDS the rounds.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  createFlinkClient,
  type FlinkClient,
  sourceVertices,
  type UpgradeRuntime,
  upgrade,
} from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'
import {
  buildCli,
  cliStopAndRun,
  col,
  comparisonTable,
  deployProcess,
  load,
  runningWithCheckpoint,
  VERIFY,
} from './flink-cli-kit.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const BLUE_GREEN_ROUNDS = Number(process.env.BENCH_BLUE_GREEN_ROUNDS ?? 2)

console.log(
  `stop-and-restart: flink-deploy (verify: ${VERIFY.checkpoints} checkpoint after the restore, ${VERIFY.stabilisationMs} ms stable) vs Flink's CLI (stop -p, run -d -s, no verification); ${ROUNDS} rounds each, interleaved; ms`,
)
console.log(`load average at start: ${load()} (the machine is shared)`)
await buildCli()

for (const version of selectedFlinkVersions()) {
  const [cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
  const client = createFlinkClient({ baseUrl: cluster.url })
  const runtime: UpgradeRuntime = {
    client,
    stateFile: join(mkdtempSync(join(tmpdir(), 'bench-cli-')), 'orders.json'),
  }
  const args = (release: string) => ['--name', 'orders', '--release', release]
  const release = (name: string) => ({ jobName: 'orders', jar, args: args(name), verify: VERIFY })
  try {
    const first = await upgrade(release('v1'), runtime)
    if (first.outcome !== 'upgraded') throw new Error(first.summary)
    let running = first.greenJobId!
    const side = { cluster, client }
    const table = comparisonTable('flink', version)
    table.header()
    for (let run = 1; run <= ROUNDS * 2; run++) {
      const tool = run % 2 ? 'cli' : 'deploy'
      const name = run % 4 < 2 ? 'v2' : 'v1'
      await runningWithCheckpoint(client, running)
      const cliArgs = [
        ...['--flink-url', cluster.url, '--state-file', runtime.stateFile!, '--job-name', 'orders'],
        ...['--jar', jar, ...args(name).flatMap((a) => ['--arg', a])],
      ]
      const row =
        tool === 'deploy'
          ? await deployProcess(cliArgs, client)
          : await cliStopAndRun(side, running, side, jar, args(name))
      running = row.green
      table.add(tool, Math.ceil(run / 2), row)
    }
    table.summary()

    console.log(
      `${version.padEnd(8)} blue-green (flink-deploy, same verification): records written by the sources, counted across the switch`,
    )
    for (let run = 1; run <= BLUE_GREEN_ROUNDS; run++) {
      await runningWithCheckpoint(client, running)
      const counter = recordCounter(client)
      counter.watch(running)
      const result = await upgrade(
        { ...release(run % 2 ? 'v2' : 'v1'), strategy: 'blue-green' },
        { ...runtime, onEvent: (e) => e.type === 'job-submitted' && counter.watch(e.jobId) },
      )
      if (result.outcome !== 'upgraded') throw new Error(result.summary)
      // Let the metric store catch up with green after the switch.
      await sleep(2_500)
      const counts = await counter.stop()
      console.log(
        `${version.padEnd(8)} blue-green ${col(run, 3)}: both jobs ran for ${result.duplicateWindowMs} ms; records written: blue ${counts.perJob[running] ?? 0}, green ${counts.perJob[result.greenJobId!] ?? 0}; longest pause without records ${counts.longestPauseMs} ms (metric refresh 1000 ms); total ${result.totalMs} ms`,
      )
      running = result.greenJobId!
    }
  } finally {
    await client.close()
    await cluster.stop()
  }
}
console.log(`load average at end: ${load()}`)

/**
 * Samples every 100 ms the records each watched job's sources have written (Flink's `write-records`), and
 * finds the longest time in which the total did not grow.
 */
function recordCounter(client: FlinkClient) {
  const jobs = new Set<string>()
  const perJob: Record<string, number> = {}
  let lastGrowthAt = Date.now()
  let lastTotal = -1
  let longestPauseMs = 0
  let stopped = false
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(
        [...jobs].map(async (jobid) => {
          const job = await client.jobs.get({ jobid }).catch(() => undefined)
          if (!job) return
          const written = sourceVertices(job).reduce((n, v) => n + (v.metrics?.['write-records'] ?? 0), 0)
          perJob[jobid] = Math.max(perJob[jobid] ?? 0, written)
        }),
      )
      const total = Object.values(perJob).reduce((a, b) => a + b, 0)
      const now = Date.now()
      if (total > lastTotal) {
        if (lastTotal >= 0) longestPauseMs = Math.max(longestPauseMs, now - lastGrowthAt)
        lastGrowthAt = now
        lastTotal = total
      }
      await sleep(100)
    }
  })()
  return {
    watch(jobid: string) {
      jobs.add(jobid)
    },
    async stop() {
      stopped = true
      await loop
      return { perJob, longestPauseMs }
    },
  }
}
