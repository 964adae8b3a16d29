/**
 * `status`: what runs on the cluster (and on the target of a move, with `--to-flink-url`), each live job's
 * last checkpoint and savepoint, and with `--state-store` what the shared store knows of each job.
 */
import { describeJobState, type FlinkClient, formatMs, fullyRunning, isTerminal } from '@flink-deploy/core'
import { connectTarget } from '../connection.ts'
import { type CommandContext, value } from '../context.ts'
import { EXIT } from '../exit-codes.ts'
import { storeUrlOf } from '../storage.ts'
import { emit, withClient } from './cluster.ts'
import { storedJobLines, storedJobs } from './stored-runs.ts'

const ago = (at: number, now: number) => `${formatMs(Math.max(0, now - at))} ago`

interface SnapshotInfo {
  id: number
  at: number
  path: string | undefined
}

interface Filter {
  name: string | undefined
  all: boolean
}

async function clusterStatus(client: FlinkClient, { name, all }: Filter) {
  const [overview, { jobs }] = await Promise.all([client.cluster.overview(), client.jobs.overview()])
  const selected = jobs
    .filter((j) => (all || !isTerminal(j.state)) && (name === undefined || j.name === name))
    .sort((a, b) => b['start-time'] - a['start-time'])
  const ended = jobs.filter((j) => isTerminal(j.state) && (name === undefined || j.name === name)).length
  const details = await Promise.all(selected.map((j) => snapshots(client, j.jid, j.state)))
  return {
    flinkVersion: overview['flink-version'],
    taskManagers: overview.taskmanagers,
    slotsTotal: overview['slots-total'],
    slotsAvailable: overview['slots-available'],
    jobs: selected.map((j, i) => ({
      id: j.jid,
      name: j.name,
      state: j.state,
      tasks: { running: j.tasks.running ?? 0, total: j.tasks.total ?? 0 },
      subtasksRunning: fullyRunning(j),
      startTime: j['start-time'],
      endTime: j['end-time'] > 0 ? j['end-time'] : undefined,
      durationMs: j.duration,
      lastCheckpoint: details[i]!.checkpoint,
      lastSavepoint: details[i]!.savepoint,
    })),
    endedJobs: ended,
  }
}
type ClusterStatus = Awaited<ReturnType<typeof clusterStatus>>

async function snapshots(client: FlinkClient, jobId: string, state: string) {
  if (state !== 'RUNNING') return { checkpoint: undefined, savepoint: undefined }
  const stats = await client.checkpoints.statistics({ jobid: jobId }).catch(() => undefined)
  const info = (
    c: { id: number; latest_ack_timestamp: number; external_path?: string | null } | null | undefined,
  ) =>
    c
      ? ({ id: c.id, at: c.latest_ack_timestamp, path: c.external_path ?? undefined } as SnapshotInfo)
      : undefined
  return { checkpoint: info(stats?.latest.completed), savepoint: info(stats?.latest.savepoint) }
}

function clusterLines(s: ClusterStatus, shownUrl: string, { name, all }: Filter, now: number): string[] {
  const lines = [
    `Flink ${s.flinkVersion} at ${shownUrl}`,
    `task managers ${s.taskManagers}, slots ${s.slotsTotal} (${s.slotsAvailable} free)`,
    '',
  ]
  if (s.jobs.length === 0) lines.push(name ? `No job named "${name}" runs.` : 'No job runs.')
  for (const job of s.jobs) {
    const since = job.endTime ? `ended ${ago(job.endTime, now)}` : `for ${formatMs(job.durationMs)}`
    lines.push(`${job.state.padEnd(9)} ${job.name}  ${job.id}  ${since}`)
    if (job.state === 'RUNNING' && !job.subtasksRunning)
      lines.push(`          ${describeJobState(job)}: it processes nothing until its subtasks get slots`)
    if (job.state === 'RUNNING') {
      const show = (x: SnapshotInfo | undefined) =>
        x ? `#${x.id}, ${ago(x.at, now)}${x.path ? `, ${x.path}` : ''}` : 'none yet'
      lines.push(`          last checkpoint  ${show(job.lastCheckpoint)}`)
      lines.push(`          last savepoint   ${show(job.lastSavepoint)}`)
    }
  }
  if (!all && s.endedJobs > 0) lines.push('', `${s.endedJobs} ended job(s) not shown; --all lists them.`)
  return lines
}

export async function status(ctx: CommandContext): Promise<number> {
  return withClient(ctx, async (client) => {
    const warn = (message: string) => ctx.stderr.write(`warning: ${message}\n`)
    const targetClient = connectTarget(ctx.settings, ctx.io.cwd, ctx.command, warn)
    try {
      const filter = { name: value<string>(ctx, 'jobName'), all: value<boolean>(ctx, 'all') ?? false }
      const [main, target] = await Promise.all([
        clusterStatus(client, filter),
        targetClient && clusterStatus(targetClient, filter),
      ])
      const storeUrl = storeUrlOf(ctx)
      const stored = storeUrl ? await storedJobs(ctx, storeUrl) : undefined
      const now = Date.now()
      emit(
        ctx,
        {
          type: 'status',
          flinkUrl: value<string>(ctx, 'flinkUrl'),
          ...main,
          ...(target ? { target: { flinkUrl: value<string>(ctx, 'toFlinkUrl'), ...target } } : {}),
          ...(stored ? { stateStore: storeUrl, stored } : {}),
        },
        () => [
          ...clusterLines(main, value<string>(ctx, 'flinkUrl')!, filter, now),
          ...(target
            ? ['', 'Target cluster:', ...clusterLines(target, value<string>(ctx, 'toFlinkUrl')!, filter, now)]
            : []),
          ...(stored ? storedJobLines(storeUrl!, stored) : []),
        ],
      )
      return EXIT.ok
    } finally {
      await targetClient?.close().catch(() => {})
    }
  })
}
