/**
 * `savepoint`, `cancel`: one operation on a job, and the client and output helpers the cluster commands
 * share. Human and plain output are lines; `--json` is one JSON object.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { type FlinkClient, formatMs, isJobNotFound, isTerminal } from '@flink-deploy/core'
import { connect } from '../connection.ts'
import { type CommandContext, value } from '../context.ts'
import { EXIT } from '../exit-codes.ts'
import { UsageError } from '../settings.ts'
import { CommandFailed } from './command-failed.ts'

export function openClient(ctx: CommandContext): FlinkClient {
  return connect(ctx.settings, ctx.io.cwd, ctx.command, (message) =>
    ctx.stderr.write(`warning: ${message}\n`),
  )
}

/** Prints a JSON object (--json) or lines. */
export function emit(ctx: CommandContext, json: Record<string, unknown>, lines: () => string[]): void {
  if (value<boolean>(ctx, 'json')) ctx.stdout.write(`${JSON.stringify(json)}\n`)
  else for (const line of lines()) ctx.stdout.write(`${line}\n`)
}

export async function withClient<T>(
  ctx: CommandContext,
  use: (client: FlinkClient) => Promise<T>,
): Promise<T> {
  const client = openClient(ctx)
  try {
    return await use(client)
  } finally {
    await client.close().catch(() => {})
  }
}

/** The job a command acts on: a positional id, --job-id, or the one live job called --job-name. */
async function chooseJob(ctx: CommandContext, client: FlinkClient): Promise<{ id: string; name?: string }> {
  const positional = ctx.positionals[0]
  const id = positional ?? value<string>(ctx, 'jobId')
  if (positional !== undefined && !/^[0-9a-f]{32}$/.test(positional))
    throw new UsageError(
      `job id: expected a Flink job id (32 lowercase hex characters), got ${JSON.stringify(positional)}`,
      ctx.command,
    )
  if (id) return { id }
  const name = value<string>(ctx, 'jobName')
  if (!name) throw new UsageError('give a job id, or --job-name', ctx.command)
  const { jobs } = await client.jobs.overview()
  const live = jobs.filter((j) => j.name === name && !isTerminal(j.state))
  if (live.length === 0) throw new CommandFailed(`no live job named "${name}" on the cluster`)
  if (live.length > 1)
    throw new CommandFailed(
      `${live.length} live jobs are named "${name}" (${live.map((j) => j.jid).join(', ')}); give the job id`,
    )
  return { id: live[0]!.jid, name }
}

export async function savepoint(ctx: CommandContext): Promise<number> {
  return withClient(ctx, async (client) => {
    const job = await chooseJob(ctx, client)
    const stop = value<boolean>(ctx, 'stop') ?? false
    const options = {
      targetDirectory: value<string>(ctx, 'savepointDir'),
      timeoutMs: value<number>(ctx, 'savepointTimeout') ?? 600_000,
      formatType: value<'canonical' | 'native'>(ctx, 'savepointFormat')?.toUpperCase() as
        | 'CANONICAL'
        | 'NATIVE'
        | undefined,
    }
    const human = !value<boolean>(ctx, 'json') && ctx.stdout.isTTY
    if (human) ctx.stdout.write(`${stop ? 'Stopping job with' : 'Taking'} a savepoint of job ${job.id}…\n`)
    const result = stop
      ? await client.operations.stopWithSavepoint(job.id, { ...options, drain: value<boolean>(ctx, 'drain') })
      : await client.operations.savepoint(job.id, options)
    emit(
      ctx,
      {
        type: 'result',
        jobId: job.id,
        savepointPath: result.location,
        triggerId: result.triggerId,
        durationMs: result.durationMs,
        stopped: stop,
      },
      // Not a terminal: just the path, for `SP=$(flink-deploy savepoint ...)`.
      () =>
        human
          ? [
              `Savepoint: ${result.location} (${formatMs(result.durationMs)})`,
              ...(stop ? [`Job ${job.id} stopped (FINISHED).`] : []),
            ]
          : [result.location],
    )
    return EXIT.ok
  })
}

export async function cancel(ctx: CommandContext): Promise<number> {
  if (ctx.positionals.length === 0) throw new UsageError('give the id of the job to cancel', ctx.command)
  return withClient(ctx, async (client) => {
    const { id } = await chooseJob(ctx, client)
    const timeoutMs = value<number>(ctx, 'cancelTimeout') ?? 120_000
    const before = await client.jobs.status({ jobid: id }).catch((error: unknown) => {
      if (isJobNotFound(error)) throw new CommandFailed(`no job ${id} on the cluster`)
      throw error
    })
    let final = before.status
    if (!isTerminal(final)) {
      await client.jobs.cancel({ jobid: id, query: { mode: 'cancel' } })
      const deadline = Date.now() + timeoutMs
      for (let wait = 20; ; wait = Math.min(wait * 1.6, 1_000)) {
        final = (await client.jobs.status({ jobid: id })).status
        if (isTerminal(final)) break
        if (Date.now() > deadline)
          throw new CommandFailed(
            `job ${id} was still ${final} ${formatMs(timeoutMs)} after the cancel request`,
          )
        await sleep(wait)
      }
    }
    const already = isTerminal(before.status)
    emit(ctx, { type: 'result', jobId: id, state: final, alreadyEnded: already }, () => [
      already ? `Job ${id} had already ended (${final}).` : `Job ${id} cancelled (${final}).`,
    ])
    return EXIT.ok
  })
}
