/**
 * What the benches that put flink-deploy beside a script around Flink's own CLI share: the script (`flink stop
 * -p`, then `flink run -d -s`, each through CliFrontend the way bin/flink runs it), the readings both tools are
 * measured by (Flink's own timestamps), and the table they print.
 * Downtime = blue FINISHED → green's last subtask RUNNING, gap = blue FINISHED → green submitted (its
 * start-time); total = what a user waits: the built CLI (`node packages/cli/dist/bin.js upgrade`, as the README
 * runs it) spawned and timed from start to exit, or the two Flink CLI processes; `own` = the total
 * flink-deploy's result reports (from its process start to its answer).
 */
import { spawn } from 'node:child_process'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient, UpgradeResult } from '@flink-deploy/core'
import { type FlinkCluster, JAVA_17_OPTS } from '@flink-deploy/local-flink'
import { buildPackage, DIST } from '../packages/cli/src/packaging/build.ts'

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
  /** flink-deploy's total as its result reports it. */
  own?: number
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
async function deployMeasured(result: UpgradeResult, greenClient: FlinkClient): Promise<Measured> {
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

/** The built CLI, run the way the README runs it; the benches build it first (`buildCli`). */
const CLI_BIN = join(DIST, 'bin.js')

export { buildPackage as buildCli }

/** The CLI's flags for VERIFY. */
const VERIFY_FLAGS = [
  ['--verify-checkpoints', String(VERIFY.checkpoints)],
  ['--verify-stabilisation', `${VERIFY.stabilisationMs}ms`],
  ['--verify-timeout', `${VERIFY.timeoutMs}ms`],
].flat()

/**
 * `flink-deploy upgrade <args> --json` as a user waits for it: the built CLI spawned, timed from start to
 * exit; the other figures from the result it prints. Green runs on `greenClient`'s cluster.
 */
export async function deployProcess(args: string[], greenClient: FlinkClient): Promise<Measured> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLINK_DEPLOY_')))
  const t0 = Date.now()
  const out = await run(
    'flink-deploy upgrade',
    process.execPath,
    [CLI_BIN, 'upgrade', ...args, ...VERIFY_FLAGS, '--json'],
    env,
  )
  const total = Date.now() - t0
  const line = out.split('\n').findLast((l) => l.startsWith('{"type":"result"'))
  if (!line) throw new Error(`flink-deploy printed no result:\n${out}`)
  const result = JSON.parse(line) as UpgradeResult
  return { ...(await deployMeasured(result, greenClient)), total, own: result.totalMs }
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
  return run(`flink ${args[0]}`, java, [...jvm, ...args], {
    ...process.env,
    FLINK_CONF_DIR: cluster.configDir,
    ...plugins,
  })
}

/** Runs a process to its end; its stdout and stderr, or an error naming it with them when it exits non-zero. */
function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${name} exited ${code}:\n${out}`)),
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
  const figures: Record<Tool, { downtime: number[]; gap: number[]; total: number[]; own: number[] }> = {
    deploy: { downtime: [], gap: [], total: [], own: [] },
    cli: { downtime: [], gap: [], total: [], own: [] },
  }
  const toolName = (tool: Tool) => (tool === 'cli' ? 'flink CLI' : 'flink-deploy').padEnd(12)
  type Figure = keyof (typeof figures)[Tool]
  const med = (tool: Tool, k: Figure) => (figures[tool][k].length > 0 ? median(figures[tool][k]) : '')
  return {
    header() {
      console.log(
        `${column.padEnd(width)} ${'tool'.padEnd(12)} ${'run'.padStart(3)} ${col('downtime', 9)} ${col('gap', 7)} ${col('total', 7)} ${col('own', 7)}  load`,
      )
    },
    add(tool: Tool, run: number, row: Measured) {
      figures[tool].downtime.push(row.downtime)
      figures[tool].gap.push(row.gap)
      figures[tool].total.push(row.total)
      if (row.own !== undefined) figures[tool].own.push(row.own)
      console.log(
        `${label.padEnd(width)} ${toolName(tool)} ${col(run, 3)} ${col(row.downtime, 9)} ${col(row.gap, 7)} ${col(row.total, 7)} ${col(row.own ?? '', 7)}  ${load()}`,
      )
    },
    summary() {
      for (const tool of ['deploy', 'cli'] as const)
        console.log(
          `${label.padEnd(width)} ${toolName(tool)} med ${col(med(tool, 'downtime'), 9)} ${col(med(tool, 'gap'), 7)} ${col(med(tool, 'total'), 7)} ${col(med(tool, 'own'), 7)}`,
        )
      const ratio = (k: Figure) => (Number(med('deploy', k)) / Number(med('cli', k))).toFixed(2)
      console.log(
        `${label.padEnd(width)} flink-deploy / flink CLI (medians): downtime ${ratio('downtime')}x, gap ${ratio('gap')}x, total ${ratio('total')}x (process start to exit)`,
      )
    },
  }
}
