/**
 * What the benches that put flink-deploy beside a script around Flink's own CLI share: the script (`flink stop
 * -p`, then `flink run -d -s`, each through CliFrontend the way bin/flink runs it), the readings both tools are
 * measured by (Flink's own timestamps), and the table they print.
 * Downtime = blue FINISHED → green's last subtask RUNNING, gap = blue FINISHED → green submitted (its
 * start-time); total = wall time of flink-deploy's upgrade or of the two CLI calls.
 */
import { spawn } from 'node:child_process'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient, UpgradeResult } from '@flink-deploy/core'
import { type FlinkCluster, JAVA_17_OPTS } from '@flink-deploy/local-flink'

/** flink-deploy's verification in these benches: 1 checkpoint after the restore, 1 s stable. */
export const VERIFY = { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 60_000 }

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
export const col = (value: unknown, width: number) => String(value).padStart(width)
export const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')

export type Tool = 'deploy' | 'cli'

/** One switch from blue to green, in ms. */
export interface Measured {
  downtime: number
  gap: number
  total: number
  green: string
}

/** A cluster as the CLI script needs it: its files (classpath, conf dir) and its REST client. */
export interface CliSide {
  cluster: FlinkCluster
  client: FlinkClient
}

/** Waits until the job runs and has a completed checkpoint, so every round starts from the same place. */
export async function runningWithCheckpoint(client: FlinkClient, jobid: string): Promise<void> {
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

/** flink-deploy's figures of an upgrade or move; green runs on `greenClient`'s cluster. */
export async function deployMeasured(result: UpgradeResult, greenClient: FlinkClient): Promise<Measured> {
  if (result.outcome !== 'upgraded') throw new Error(result.summary)
  const green = result.greenJobId!
  const greenJob = await greenClient.jobs.get({ jobid: green })
  return {
    downtime: result.downtimeMs!,
    gap: greenJob['start-time'] - result.timeline.blueFinishedAt!,
    total: result.totalMs,
    green,
  }
}

/**
 * The script around Flink's CLI: stop blue with a savepoint into `savepointDir` through blue's cluster, then
 * run the new jar from it, detached, through green's cluster (the same one for an in-place upgrade).
 */
export async function cliStopAndRun(
  from: CliSide,
  blue: string,
  to: CliSide,
  jar: string,
  args: string[],
): Promise<Measured> {
  const t0 = Date.now()
  const stop = await flinkCli(from.cluster, ['stop', '-p', from.cluster.savepointDir, blue])
  const savepoint = /Savepoint completed\. Path: (\S+)/.exec(stop)?.[1]
  if (!savepoint) throw new Error(`flink stop printed no savepoint path:\n${stop}`)
  const run = await flinkCli(to.cluster, ['run', '-d', '-s', savepoint, jar, ...args])
  const total = Date.now() - t0
  const green = /JobID ([0-9a-f]{32})/.exec(run)?.[1]
  if (!green) throw new Error(`flink run printed no job id:\n${run}`)
  const blueFinishedAt = await finishedAt(from.client, blue)
  const allRunningAt = await lastSubtaskRunningAt(to.client, green)
  const greenJob = await to.client.jobs.get({ jobid: green })
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
export async function finishedAt(client: FlinkClient, jobid: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const job = (await client.jobs.overview()).jobs.find((j) => j.jid === jobid)
    if (job?.state === 'FINISHED' && job['end-time'] > 0) return job['end-time']
    await sleep(50)
  }
  throw new Error(`job ${jobid} did not finish`)
}

/**
 * Runs `bin/flink <args>` the way the script does: CliFrontend on the cluster classpath, with its conf dir (the
 * REST address, and the s3.* keys of a cluster on S3) and its plugins dir, as bin/flink sets them. Returns
 * stdout and stderr.
 */
export function flinkCli(cluster: FlinkCluster, args: string[]): Promise<string> {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java'
  const jvm = [
    ...JAVA_17_OPTS,
    `-Dlog.file=${join(cluster.logDir, 'flink-cli.log')}`,
    `-Dlog4j.configurationFile=file:${join(cluster.configDir, 'log4j-cli.properties')}`,
    '-cp',
    cluster.classpath.join(':'),
    'org.apache.flink.client.cli.CliFrontend',
  ]
  const plugins = cluster.pluginsDir ? { FLINK_PLUGINS_DIR: cluster.pluginsDir } : {}
  return new Promise((resolve, reject) => {
    const child = spawn(java, [...jvm, ...args], {
      env: { ...process.env, FLINK_CONF_DIR: cluster.configDir, ...plugins },
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
export async function lastSubtaskRunningAt(client: FlinkClient, jobid: string): Promise<number> {
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
 * The side-by-side table: one row per switch, then the medians of each tool and their ratios. `column` heads
 * the first column, `label` fills it (a Flink version, or the two of a move).
 */
export function comparisonTable(column: string, label: string) {
  const width = Math.max(8, column.length, label.length)
  const figures: Record<Tool, { downtime: number[]; gap: number[]; total: number[] }> = {
    deploy: { downtime: [], gap: [], total: [] },
    cli: { downtime: [], gap: [], total: [] },
  }
  const toolName = (tool: Tool) => (tool === 'cli' ? 'flink CLI' : 'flink-deploy').padEnd(12)
  type Figure = keyof (typeof figures)[Tool]
  const med = (tool: Tool, k: Figure) => median(figures[tool][k])
  return {
    header() {
      console.log(
        `${column.padEnd(width)} ${'tool'.padEnd(12)} ${'run'.padStart(3)} ${col('downtime', 9)} ${col('gap', 7)} ${col('total', 7)}  load`,
      )
    },
    add(tool: Tool, run: number, row: Measured) {
      figures[tool].downtime.push(row.downtime)
      figures[tool].gap.push(row.gap)
      figures[tool].total.push(row.total)
      console.log(
        `${label.padEnd(width)} ${toolName(tool)} ${col(run, 3)} ${col(row.downtime, 9)} ${col(row.gap, 7)} ${col(row.total, 7)}  ${load()}`,
      )
    },
    summary() {
      for (const tool of ['deploy', 'cli'] as const)
        console.log(
          `${label.padEnd(width)} ${toolName(tool)} med ${col(med(tool, 'downtime'), 9)} ${col(med(tool, 'gap'), 7)} ${col(med(tool, 'total'), 7)}`,
        )
      const ratio = (k: Figure) => (med('deploy', k) / med('cli', k)).toFixed(2)
      console.log(
        `${label.padEnd(width)} flink-deploy / flink CLI (medians): downtime ${ratio('downtime')}x, gap ${ratio('gap')}x, total ${ratio('total')}x`,
      )
    },
  }
}
