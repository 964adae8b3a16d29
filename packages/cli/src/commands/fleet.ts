/**
 * `plan` and `apply`: many jobs from one manifest (`flink-deploy.yaml`). `plan` compares it with what runs
 * and exits 7 when changes are pending; `apply` runs them in waves, each job a normal upgrade with its own
 * state, lock and events, and ends with a summary table (or, with --json, one NDJSON stream whose every line
 * names its job).
 */
import { join, resolve } from 'node:path'
import {
  appliedRows,
  apply,
  type FleetPlan,
  type FleetResult,
  fileRunStorage,
  formatEvent,
  type LoadedManifest,
  loadManifest,
  objectRunStorage,
  ProgressLogRate,
  plan,
  type RunStorage,
  startTracing,
  traceApply,
  type UpgradeEvent,
} from '@flink-deploy/core'
import { connect } from '../connection.ts'
import { type CommandContext, displayPath, value } from '../context.ts'
import { EXIT, exitCodeForOutcome } from '../exit-codes.ts'
import { notifyOf } from '../notify.ts'
import { DEFAULT_STATE_DIR, openStoreOf, stateFileName } from '../storage.ts'

export const DEFAULT_MANIFEST = 'flink-deploy.yaml'

interface Fleet {
  loaded: LoadedManifest
  storageFor(job: string): RunStorage
  close(): Promise<void>
}

/** The manifest, and each job's storage: flags first, then the manifest's own `state-dir` / `state-store`. */
async function openFleet(ctx: CommandContext): Promise<Fleet> {
  const loaded = await loadManifest(resolve(ctx.io.cwd, value<string>(ctx, 'file') ?? DEFAULT_MANIFEST))
  const m = loaded.manifest
  if (value<string>(ctx, 'flinkUrl') === undefined && m['flink-url']) {
    ctx.settings.values.flinkUrl = m['flink-url']
    ctx.settings.origin.flinkUrl = `${displayPath(loaded.file, ctx.io.cwd)}: flink-url`
  }
  const storeUrl =
    value<string>(ctx, 'stateStore') ?? (value<string>(ctx, 'stateDir') ? undefined : m['state-store'])
  if (storeUrl) {
    const objects = await openStoreOf(ctx, storeUrl)
    const lease = value<number>(ctx, 'lockLease')
    return {
      loaded,
      storageFor: (job) => objectRunStorage(objects, { job, ...(lease ? { leaseMs: lease } : {}) }),
      close: () => objects.close(),
    }
  }
  const stateDir = value<string>(ctx, 'stateDir')
    ? resolve(ctx.io.cwd, value<string>(ctx, 'stateDir')!)
    : resolve(loaded.baseDir, m['state-dir'] ?? DEFAULT_STATE_DIR)
  return {
    loaded,
    storageFor: (job) => fileRunStorage(join(stateDir, stateFileName(job))),
    close: async () => {},
  }
}

export async function planCommand(ctx: CommandContext): Promise<number> {
  const fleet = await openFleet(ctx)
  const client = connect(ctx.settings, ctx.io.cwd, ctx.command, (m) => ctx.stderr.write(`warning: ${m}\n`))
  try {
    const planned = await plan(fleet.loaded.manifest, {
      client,
      storageFor: fleet.storageFor,
      baseDir: fleet.loaded.baseDir,
    })
    if (value<boolean>(ctx, 'json')) ctx.stdout.write(`${JSON.stringify({ type: 'plan', ...planned })}\n`)
    else for (const line of planLines(planned)) ctx.stdout.write(`${line}\n`)
    return planned.pending ? EXIT.changesPending : EXIT.ok
  } finally {
    await client.close().catch(() => {})
    await fleet.close()
  }
}

function planLines(planned: FleetPlan): string[] {
  const lines = planned.jobs.flatMap((j) => [
    `${j.action.padEnd(9)} ${j.job}  (wave ${j.wave})${j.reason ? `: ${j.reason}` : ''}`,
    ...j.changes.map((c) => `            ${c}`),
  ])
  const count = (a: string) => planned.jobs.filter((j) => j.action === a).length
  lines.push(
    '',
    planned.pending
      ? `To change: ${count('create')} to create, ${count('upgrade')} to upgrade, ${count('resume')} to resume; ${count('blocked')} blocked, ${count('unchanged')} unchanged.`
      : 'Nothing to do: every job runs as the manifest says.',
  )
  return lines
}

export async function applyCommand(ctx: CommandContext): Promise<number> {
  const fleet = await openFleet(ctx)
  const json = value<boolean>(ctx, 'json') ?? false
  const client = connect(ctx.settings, ctx.io.cwd, ctx.command, (m) => ctx.stderr.write(`warning: ${m}\n`))
  const controller = new AbortController()
  const stopListening = ctx.io.onInterrupt?.(() => {
    ctx.stderr.write(
      '\nCancelling: every running job stops at its next safe point; no other job starts. `apply` again resumes them.\n',
    )
    controller.abort()
  })
  const print = (job: string, line: string) => ctx.stdout.write(json ? `${line}\n` : `[${job}] ${line}\n`)
  // jobs' lines interleave in one log read afterwards: progress at the rate of a log, per job
  const progressLines = new Map<string, ProgressLogRate>()
  const readableProgress = (job: string, event: UpgradeEvent) => {
    const rate = progressLines.get(job) ?? new ProgressLogRate()
    progressLines.set(job, rate)
    if (event.type === 'step-entered') rate.reset()
    return (event.type !== 'savepoint-progress' && event.type !== 'restore-progress') || rate.shows(event)
  }
  // Off unless OTEL_* variables ask for it: one span for the apply, each job's run a child of it.
  const tracing = await startTracing({ env: ctx.io.env }, (m) => ctx.stderr.write(`warning: ${m}\n`))
  const traced = tracing && traceApply(tracing, client.url)
  try {
    const result = await apply(fleet.loaded.manifest, {
      client,
      storageFor: fleet.storageFor,
      baseDir: fleet.loaded.baseDir,
      signal: controller.signal,
      concurrency: value<number>(ctx, 'concurrency') ?? 3,
      continueOnFailure: value<boolean>(ctx, 'continueOnFailure') ?? false,
      ...(value<string>(ctx, 'lockOwner') ? { owner: value<string>(ctx, 'lockOwner')! } : {}),
      ...(traced ? { onJob: traced.onJob } : {}),
      ...notifyOf(ctx),
      onEvent: (job, event) => {
        traced?.onEvent(job, event)
        if (json) return print(job, JSON.stringify({ job, ...event }))
        if (!readableProgress(job, event)) return
        const line = formatEvent(event)
        if (line !== undefined) print(job, line)
      },
    })
    traced?.end({ result })
    if (json)
      ctx.stdout.write(`${JSON.stringify({ type: 'result', ok: result.ok, jobs: appliedRows(result) })}\n`)
    else for (const line of summaryLines(result)) ctx.stdout.write(`${line}\n`)
    return exitCodeOf(result)
  } catch (error) {
    traced?.end({ error })
    throw error
  } finally {
    stopListening?.()
    await Promise.all([client.close(), tracing?.shutdown()]).catch(() => {})
    await fleet.close()
  }
}

function summaryLines(result: FleetResult): string[] {
  const rows = appliedRows(result)
  const lines = [
    '',
    `${'job'.padEnd(20)} ${'wave'.padEnd(4)} ${'status'.padEnd(9)} ${'outcome'.padEnd(24)} job id / savepoint`,
  ]
  for (const r of rows) {
    lines.push(
      `${r.job.padEnd(20)} ${String(r.wave).padEnd(4)} ${r.status.padEnd(9)} ${(r.outcome ?? '-').padEnd(24)} ${r.jobId ?? '-'}`,
    )
    if (r.savepointPath) lines.push(`${''.padEnd(60)} ${r.savepointPath}`)
    if (r.error) lines.push(`${''.padEnd(20)} ${r.error.code}: ${r.error.message}`)
  }
  const changed = rows.filter((r) => r.status === 'changed').map((r) => r.job)
  const untouched = rows.filter((r) => r.status !== 'changed').map((r) => r.job)
  lines.push('', `Changed: ${changed.join(', ') || 'none'}. Not changed: ${untouched.join(', ') || 'none'}.`)
  return lines
}

/** 0 when every job is as the manifest says; else the gravest of the jobs' codes. */
function exitCodeOf(result: FleetResult): number {
  if (result.ok) return EXIT.ok
  const codes = result.jobs.map((j) =>
    j.result ? exitCodeForOutcome(j.result.outcome) : j.status === 'failed' ? EXIT.aborted : EXIT.ok,
  )
  const gravity = [EXIT.needsAttention, EXIT.error, EXIT.locked, EXIT.rolledBack, EXIT.aborted]
  return gravity.find((c) => codes.includes(c)) ?? EXIT.aborted
}
