/**
 * `upgrade`, `resume`, `promote`, `reject`: the runs of core's upgrade machines, with their events shown
 * as they happen, Ctrl-C turned into a safe cancellation, and the result turned into an exit code.
 */
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import {
  describeJobState,
  promote,
  reject,
  resume,
  startTracing,
  type UpgradeEvent,
  type UpgradeOptions,
  UpgradeOptionsSchema,
  type UpgradeResult,
  type UpgradeRuntime,
  upgrade,
  upgradeOptionsFrom,
} from '@flink-deploy/core'
import { asUsageError, connect, connectTarget, nameOf, settingForArgument } from '../connection.ts'
import { type CommandContext, displayPath, shellWord, value } from '../context.ts'
import { EXIT, exitCodeForOutcome } from '../exit-codes.ts'
import { notifyOf } from '../notify.ts'
import { chooseMode, createRenderer } from '../output.ts'
import { camel, declarationOf, type Resolved, type SettingKey, UsageError } from '../settings.ts'
import { type OpenedStorage, openStorage, storeUrlOf } from '../storage.ts'
import { breakLockWithWarning } from './unlock.ts'

/** Of two settings that exclude each other, the one given at the higher precedence wins; same level: an error. */
function exclusive(r: Resolved, a: SettingKey, b: SettingKey, command: string): void {
  const oa = r.origin[a]
  const ob = r.origin[b]
  if (!oa || !ob) return
  const level = (o: string) => (o.startsWith('--') ? 0 : o.startsWith('FLINK_DEPLOY_') ? 1 : 2)
  if (level(oa) === level(ob)) throw new UsageError(`${oa}: give ${oa} or ${ob}, not both`, command)
  const drop = level(oa) < level(ob) ? b : a
  delete r.values[drop]
  delete r.origin[drop]
}

function checkJarFile(r: Resolved, key: SettingKey, cwd: string, command: string): string {
  const given = r.values[key] as string
  const path = resolve(cwd, given)
  if (!given.endsWith('.jar'))
    throw new UsageError(`${nameOf(r, key)}: "${given}" does not end in .jar, which Flink requires`, command)
  const info = existsSync(path) ? statSync(path) : undefined
  if (!info) throw new UsageError(`${nameOf(r, key)}: no file at "${given}"`, command)
  if (!info.isFile()) throw new UsageError(`${nameOf(r, key)}: "${given}" is not a regular file`, command)
  return path
}

/** The upgrade options from the settings, validated by core's own schema before anything is sent. */
export function upgradeOptions(ctx: CommandContext): UpgradeOptions {
  const r = ctx.settings
  const { command } = ctx
  exclusive(r, 'jobName', 'jobId', command)
  exclusive(r, 'args', 'argsJson', command)
  exclusive(r, 'rollbackArgs', 'rollbackArgsJson', command)
  const v = r.values as Record<string, unknown>
  if (v.jobName === undefined && v.jobId === undefined)
    throw new UsageError(
      'give --job-name or --job-id to choose the job (FLINK_DEPLOY_JOB_NAME works too)',
      command,
    )
  if (v.jar === undefined) throw new UsageError('--jar is required: the path of the new release jar', command)
  const jar = checkJarFile(r, 'jar', ctx.io.cwd, command)
  const rollbackGiven = Object.keys(v).find(
    (k) =>
      k === 'rollbackArgs' || k === 'rollbackArgsJson' || declarationOf(k)?.option.startsWith('rollback.'),
  )
  if (rollbackGiven && v.rollbackJar === undefined)
    throw new UsageError(`${nameOf(r, rollbackGiven as SettingKey)}: needs --rollback-jar`, command)
  const rollbackJar =
    v.rollbackJar !== undefined ? checkJarFile(r, 'rollbackJar', ctx.io.cwd, command) : undefined
  const args = (v.args ?? v.argsJson) as string[] | undefined
  const rollbackArgs = (v.rollbackArgs ?? v.rollbackArgsJson) as string[] | undefined
  const options = upgradeOptionsFrom(
    {
      ...(v.jobName !== undefined ? { jobName: v.jobName as string } : { jobId: v.jobId as string }),
      jar,
      ...(args ? { args } : {}),
      ...(rollbackJar
        ? { rollback: { jar: rollbackJar, ...(rollbackArgs ? { args: rollbackArgs } : {}) } }
        : {}),
    },
    (d) => v[camel(d.name)],
  )
  if (options.stateless && options.initialSavepoint)
    throw new UsageError(
      `${nameOf(r, 'stateless')}: --stateless and --initial-savepoint exclude each other`,
      command,
    )
  if (options.manualPromotion && options.strategy !== 'blue-green')
    throw new UsageError(
      `${nameOf(r, 'manualPromotion')}: manual promotion needs --strategy blue-green`,
      command,
    )
  const parsed = UpgradeOptionsSchema.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = settingForArgument(issue.path.join('.'))
    throw new UsageError(`${key ? nameOf(r, key) : issue.path.join('.')}: ${issue.message}`, command)
  }
  return options
}

type Action = 'upgrade' | 'resume' | 'promote' | 'reject'

export async function runUpgradeCommand(ctx: CommandContext, action: Action): Promise<number> {
  const options = action === 'upgrade' ? upgradeOptions(ctx) : undefined
  const opened = await openStorage(ctx)
  try {
    if (action !== 'upgrade' && !(await opened.hasRun())) {
      const key = ctx.settings.origin.stateFile
        ? 'stateFile'
        : ctx.settings.origin.stateStore
          ? 'stateStore'
          : 'jobName'
      throw new UsageError(
        `${nameOf(ctx.settings, key)}: no run to ${action} in ${opened.shown}`,
        ctx.command,
      )
    }
    if (value<boolean>(ctx, 'forceUnlock')) await breakLockWithWarning(ctx, opened)
    return await runWith(ctx, action, options, opened)
  } finally {
    await opened.storage.close()
  }
}

async function runWith(
  ctx: CommandContext,
  action: Action,
  options: UpgradeOptions | undefined,
  opened: OpenedStorage,
): Promise<number> {
  const json = value<boolean>(ctx, 'json') ?? false
  const renderer = createRenderer(chooseMode(json, ctx.stdout), ctx.stdout)
  const warn = (message: string) => {
    renderer.close()
    ctx.stderr.write(`warning: ${message}\n`)
  }
  const client = connect(ctx.settings, ctx.io.cwd, ctx.command, warn)
  const target = connectTarget(ctx.settings, ctx.io.cwd, ctx.command, warn)
  // Every command that continues a move needs its target again.
  const flags = target ? `${opened.flags} --to-flink-url ${shellWord(target.url)}` : opened.flags
  const controller = new AbortController()
  let interrupts = 0
  const stopListening = ctx.io.onInterrupt?.(() => {
    interrupts++
    renderer.close()
    if (interrupts === 1) {
      ctx.stderr.write(
        '\nCancelling at the next safe point: before anything changes, or once green runs from the savepoint. ' +
          'Press Ctrl-C again to exit at once.\n',
      )
      controller.abort()
    } else {
      ctx.stderr.write(
        `\nExited at once; the run was not finished. Its state is in ${opened.shown}; continue it with:\n` +
          `  flink-deploy resume ${flags}\n`,
      )
      ctx.io.exit?.(EXIT.interrupted)
    }
  })
  const owner = value<string>(ctx, 'lockOwner')
  // Off unless OTEL_* variables ask for it; then the SDK is loaded and this run's spans are exported.
  const tracing = await startTracing({ env: ctx.io.env }, warn)
  const traced = tracing?.run({
    command: action,
    job: options?.jobName ?? options?.jobId ?? value<string>(ctx, 'jobName') ?? value<string>(ctx, 'jobId'),
    cluster: client.url,
    ...(target ? { targetCluster: target.url } : {}),
    ...(options ? { strategy: options.strategy ?? 'stop-and-restart' } : {}),
  })
  const runtime: UpgradeRuntime = {
    client,
    ...(target ? { target } : {}),
    storage: opened.storage,
    ...(owner ? { owner } : {}),
    ...(action !== 'upgrade' ? notifyOf(ctx) : {}),
    signal: controller.signal,
    onEvent: (event: UpgradeEvent) => {
      renderer.event(event)
      traced?.onEvent(event)
    },
    ...(ctx.io.startedAt ? { startedAt: ctx.io.startedAt } : {}),
  }
  renderer.intro(introLines(action, options, ctx, opened, target?.url))
  try {
    const result = await run(action, options, runtime, value<string>(ctx, 'reason'))
    traced?.end({ result })
    const code =
      action === 'reject' && result.outcome === 'aborted-blue-untouched' && result.error?.code === 'REJECTED'
        ? EXIT.ok
        : exitCodeForOutcome(result.outcome)
    const where = storeUrlOf(ctx)
      ? { stateStore: opened.shown }
      : { stateFile: resolve(ctx.io.cwd, opened.shown) }
    // Flink's whole answer (Java stack traces) only when asked for.
    const debug = Boolean(ctx.io.env.FLINK_DEPLOY_DEBUG)
    const shown =
      debug || !result.error?.flinkAnswer ? result : { ...result, error: withoutAnswer(result.error) }
    renderer.result(shown, { ...where, exitCode: code }, notes(result, opened.shown, flags))
    if (debug && result.error?.flinkAnswer && renderer.mode !== 'json')
      ctx.stderr.write(`Flink's answer:\n${result.error.flinkAnswer}\n`)
    if (renderer.mode === 'json' && result.error?.code === 'CANCELLED') {
      for (const line of notes(result, opened.shown, flags)) ctx.stderr.write(`${line}\n`)
    }
    return code
  } catch (error) {
    traced?.end({ error })
    throw asUsageError(error, ctx.settings, ctx.command) ?? error
  } finally {
    renderer.close()
    stopListening?.()
    await Promise.all([client.close(), target?.close(), tracing?.shutdown()]).catch(() => {})
  }
}

function run(
  action: Action,
  options: UpgradeOptions | undefined,
  runtime: UpgradeRuntime,
  reason: string | undefined,
): Promise<UpgradeResult> {
  switch (action) {
    case 'upgrade':
      return upgrade(options!, runtime)
    case 'resume':
      return resume(runtime)
    case 'promote':
      return promote(runtime)
    case 'reject':
      return reject(runtime, reason)
  }
}

function introLines(
  action: Action,
  options: UpgradeOptions | undefined,
  ctx: CommandContext,
  opened: OpenedStorage,
  targetUrl: string | undefined,
): string[] {
  const where = storeUrlOf(ctx) ? `state store: ${opened.shown}` : `state file: ${opened.shown}`
  const blue = value<string>(ctx, 'flinkUrl')
  const url = targetUrl ? `${blue}, moving it to ${targetUrl}` : blue
  if (action === 'upgrade' && options) {
    const job = options.jobName ? `job "${options.jobName}"` : `job ${options.jobId}`
    const mode = options.dryRun ? 'dry run of ' : ''
    return [
      `flink-deploy: ${mode}${options.strategy ?? 'stop-and-restart'} of ${job} to ${displayPath(options.jar, ctx.io.cwd)} on ${url}`,
      where,
    ]
  }
  return [`flink-deploy ${action}: the run in ${opened.shown} on ${url}`]
}

function withoutAnswer({ flinkAnswer: _, ...error }: NonNullable<UpgradeResult['error']>) {
  return error
}

/** What to do next, for people; `flags` point a command at this run. */
function notes(result: UpgradeResult, shown: string, flags: string): string[] {
  const out: string[] = []
  if (result.error?.code === 'CANCELLED') {
    const running = result.running.map((j) => `${j.role} job ${j.jobId} (${describeJobState(j)})`).join(', ')
    out.push(`Cancelled during ${result.error.step}. Running now: ${running || 'no job of this run'}.`)
    if (result.savepointPath) out.push(`Savepoint to use: ${result.savepointPath}`)
    out.push(`Continue the run with: flink-deploy resume ${flags}`)
  } else if (result.outcome === 'awaiting-promotion') {
    out.push('Green is verified and runs beside blue. Finish the run with one of:')
    out.push(`  flink-deploy promote ${flags}`)
    out.push(`  flink-deploy reject ${flags} [--reason "..."]`)
  } else if (result.outcome === 'failed-needs-attention') {
    out.push(`The run's state is in ${shown}; \`flink-deploy status\` shows what runs on the cluster.`)
    if (result.error?.code === 'STATE_STORE_UNAVAILABLE' || result.error?.code === 'UPGRADE_LOCK_LOST')
      out.push(`Once the store is usable again, continue the run with: flink-deploy resume ${flags}`)
  }
  return out
}

/** The state file's directory holds the release records (core: `releases/` beside the state file). */
export function releasesDir(stateDir: string): string {
  return join(stateDir, 'releases')
}
