/**
 * flink-deploy next to a script around Flink's own CLI, on one local cluster in one run, interleaved:
 * - flink-deploy: a stop-and-restart upgrade with verification on (1 checkpoint after the restore, 1 s stable);
 * - the script: `flink stop -p <dir> <job>`, then `flink run -d -s <savepoint> <jar> <args>`, each through the
 *   CliFrontend class on the cluster's classpath with FLINK_CONF_DIR = the cluster's conf dir (what bin/flink
 *   runs). It verifies nothing: its total ends when `flink run -d` returns.
 * Downtime = blue FINISHED → green's last subtask RUNNING and gap = blue FINISHED → green submitted, both from
 * Flink's timestamps; total = wall time of the upgrade (flink-deploy's own) or of the two CLI calls.
 * Then blue-green upgrades, with the records the sources write counted across the switch (from Flink's
 * metric store, refreshed every second on the local cluster): the longest pause in which no job wrote
 * anything shows there is no downtime.
 * Run: `./run bench` (prints tables; no assertions). FLINK_VERSION selects the versions, BENCH_ROUNDS the rounds.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  createFlinkClient,
  type FlinkClient,
  sourceVertices,
  type UpgradeRuntime,
  upgrade,
} from '@flink-deploy/core'
import {
  buildExampleJob,
  type FlinkCluster,
  JAVA_17_OPTS,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const BLUE_GREEN_ROUNDS = Number(process.env.BENCH_BLUE_GREEN_ROUNDS ?? 2)
const verify = { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 60_000 }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
const col = (value: unknown, width: number) => String(value).padStart(width)
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')

interface Figures {
  downtime: number[]
  gap: number[]
  total: number[]
}

console.log(
  `stop-and-restart: flink-deploy (verify: ${verify.checkpoints} checkpoint after the restore, ${verify.stabilisationMs} ms stable) vs Flink's CLI (stop -p, run -d -s, no verification); ${ROUNDS} rounds each, interleaved; ms`,
)
console.log(`load average at start: ${load()} (the machine is shared)`)

for (const version of selectedFlinkVersions()) {
  const [cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
  const client = createFlinkClient({ baseUrl: cluster.url })
  const runtime: UpgradeRuntime = {
    client,
    stateFile: join(mkdtempSync(join(tmpdir(), 'bench-cli-')), 'orders.json'),
  }
  const args = (release: string) => ['--name', 'orders', '--release', release]
  const release = (name: string) => ({ jobName: 'orders', jar, args: args(name), verify })
  try {
    const first = await upgrade(release('v1'), runtime)
    if (first.outcome !== 'upgraded') throw new Error(first.summary)
    let running = first.greenJobId!
    const figures: Record<'deploy' | 'cli', Figures> = {
      deploy: { downtime: [], gap: [], total: [] },
      cli: { downtime: [], gap: [], total: [] },
    }
    console.log(
      `${'flink'.padEnd(8)} ${'tool'.padEnd(12)} ${'run'.padStart(3)} ${col('downtime', 9)} ${col('gap', 7)} ${col('total', 7)}  load`,
    )
    for (let run = 1; run <= ROUNDS * 2; run++) {
      const tool = run % 2 ? 'cli' : 'deploy'
      const name = run % 4 < 2 ? 'v2' : 'v1'
      await runningWithCheckpoint(client, running)
      let row: { downtime: number; gap: number; total: number; green: string }
      if (tool === 'deploy') {
        const result = await upgrade(release(name), runtime)
        if (result.outcome !== 'upgraded') throw new Error(result.summary)
        const green = result.greenJobId!
        const blueFinishedAt = result.timeline.blueFinishedAt!
        const greenJob = await client.jobs.get({ jobid: green })
        row = {
          downtime: result.downtimeMs!,
          gap: greenJob['start-time'] - blueFinishedAt,
          total: result.totalMs,
          green,
        }
      } else {
        row = await cliUpgrade(cluster, client, running, jar, args(name))
      }
      running = row.green
      figures[tool].downtime.push(row.downtime)
      figures[tool].gap.push(row.gap)
      figures[tool].total.push(row.total)
      console.log(
        `${version.padEnd(8)} ${(tool === 'cli' ? 'flink CLI' : 'flink-deploy').padEnd(12)} ${col(Math.ceil(run / 2), 3)} ${col(row.downtime, 9)} ${col(row.gap, 7)} ${col(row.total, 7)}  ${load()}`,
      )
    }
    const med = (tool: 'deploy' | 'cli', k: keyof Figures) => median(figures[tool][k])
    for (const tool of ['deploy', 'cli'] as const)
      console.log(
        `${version.padEnd(8)} ${(tool === 'cli' ? 'flink CLI' : 'flink-deploy').padEnd(12)} med ${col(med(tool, 'downtime'), 9)} ${col(med(tool, 'gap'), 7)} ${col(med(tool, 'total'), 7)}`,
      )
    const ratio = (k: keyof Figures) => (med('deploy', k) / med('cli', k)).toFixed(2)
    console.log(
      `${version.padEnd(8)} flink-deploy / flink CLI (medians): downtime ${ratio('downtime')}x, gap ${ratio('gap')}x, total ${ratio('total')}x`,
    )

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

/** Waits until the job runs and has a completed checkpoint, so every round starts from the same place. */
async function runningWithCheckpoint(client: FlinkClient, jobid: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [job, stats] = await Promise.all([
      client.jobs.get({ jobid }),
      client.checkpoints.statistics({ jobid }),
    ])
    if (job.state === 'RUNNING' && stats.latest.completed) return
    await sleep(100)
  }
  throw new Error(`job ${jobid} did not run with a checkpoint`)
}

/** The script around Flink's CLI: stop with a savepoint, then run the new jar from it, detached. */
async function cliUpgrade(
  cluster: FlinkCluster,
  client: FlinkClient,
  blue: string,
  jar: string,
  args: string[],
): Promise<{ downtime: number; gap: number; total: number; green: string }> {
  const t0 = Date.now()
  const stop = await flinkCli(cluster, ['stop', '-p', cluster.savepointDir, blue])
  const savepoint = /Savepoint completed\. Path: (\S+)/.exec(stop)?.[1]
  if (!savepoint) throw new Error(`flink stop printed no savepoint path:\n${stop}`)
  const run = await flinkCli(cluster, ['run', '-d', '-s', savepoint, jar, ...args])
  const total = Date.now() - t0
  const green = /JobID ([0-9a-f]{32})/.exec(run)?.[1]
  if (!green) throw new Error(`flink run printed no job id:\n${run}`)
  const blueFinishedAt = await finishedAt(client, blue)
  const allRunningAt = await lastSubtaskRunningAt(client, green)
  const greenJob = await client.jobs.get({ jobid: green })
  return {
    downtime: allRunningAt - blueFinishedAt,
    gap: greenJob['start-time'] - blueFinishedAt,
    total,
    green,
  }
}

/**
 * When the job finished, from the jobs overview: the job details answer from a cache Flink refreshes every
 * few seconds, and may still show the job running.
 */
async function finishedAt(client: FlinkClient, jobid: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const job = (await client.jobs.overview()).jobs.find((j) => j.jid === jobid)
    if (job?.state === 'FINISHED' && job['end-time'] > 0) return job['end-time']
    await sleep(50)
  }
  throw new Error(`job ${jobid} did not finish`)
}

/** Runs `bin/flink <args>` the way the script does: CliFrontend on the cluster classpath. Returns stdout. */
function flinkCli(cluster: FlinkCluster, args: string[]): Promise<string> {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
  const jvm = [
    ...JAVA_17_OPTS,
    `-Dlog.file=${join(cluster.logDir, 'flink-cli.log')}`,
    `-Dlog4j.configurationFile=file:${join(cluster.configDir, 'log4j-cli.properties')}`,
    '-cp',
    cluster.classpath.join(':'),
    'org.apache.flink.client.cli.CliFrontend',
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(java, [...jvm, ...args], {
      env: { ...process.env, FLINK_CONF_DIR: cluster.configDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`flink ${args[0]} exited ${code}:\n${out}`)),
    )
  })
}

/** The latest time a subtask of the job entered RUNNING, once all of them run (Flink's timestamps). */
async function lastSubtaskRunningAt(client: FlinkClient, jobid: string): Promise<number> {
  for (let i = 0; i < 1_200; i++) {
    const job = await client.jobs.get({ jobid })
    const up = job.vertices.every((v) => v.status === 'RUNNING' && (v.tasks.RUNNING ?? 0) >= v.parallelism)
    if (job.state === 'RUNNING' && up) {
      const times = await Promise.all(
        job.vertices.map((v) => client.vertices.subtaskTimes({ jobid, vertexid: v.id })),
      )
      return Math.max(...times.flatMap((t) => t.subtasks.map((s) => s.timestamps.RUNNING ?? 0)))
    }
    await sleep(50)
  }
  throw new Error(`job ${jobid} did not run`)
}

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
