/**
 * `savepoints list` and `savepoints prune`: the savepoints flink-deploy took of a job (from the savepoint
 * history in its release record, beside its run state), and their disposal through Flink. The rules and
 * the bookkeeping are core's (retention/); this renders them.
 */
import {
  formatBytes,
  type ListedSavepoint,
  listSavepoints,
  type PruneResult,
  pruneSavepoints,
} from '@flink-deploy/core'
import { type CommandContext, shellWord, value } from '../context.ts'
import { EXIT } from '../exit-codes.ts'
import { UsageError } from '../settings.ts'
import { openStorage } from '../storage.ts'
import { emit, withClient } from './cluster.ts'
import { CommandFailed } from './command-failed.ts'

/** Release records are kept per job name, so the history is found by name. */
function jobNameOf(ctx: CommandContext): string {
  const name = value<string>(ctx, 'jobName')
  if (!name) throw new UsageError('give --job-name: savepoints are recorded per job name', ctx.command)
  return name
}

const size = (bytes: number | undefined) => (bytes === undefined ? 'unknown' : formatBytes(bytes))

/** An age in the unit a person reads it in: 45s, 12m, 5h, 9d. */
function age(ms: number): string {
  if (ms < 60_000) return `${Math.floor(ms / 1_000)}s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m`
  if (ms < 48 * 3_600_000) return `${Math.floor(ms / 3_600_000)}h`
  return `${Math.floor(ms / 86_400_000)}d`
}

const KEPT: Record<string, string> = {
  'rollback-target': 'rollback target of the current release',
  'needed-by-run': 'a stored run that has not finished needs it',
  'not-attributable': 'not flink-deploy’s to delete',
  'within-keep': 'among the newest --keep',
  'within-max-age': 'younger than --max-age',
}

function note(s: ListedSavepoint): string {
  if (s.state === 'pruned') return `pruned ${s.prunedAt}`
  const notes = [
    ...(s.rollbackTarget ? ['rollback target'] : []),
    ...(s.neededByRun ? ['needed by a stored run'] : []),
    ...(s.notAttributable ? [s.notAttributable] : []),
    ...(s.state === 'missing' ? ['not on this machine’s disk'] : []),
  ]
  return notes.join('; ')
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  )
}

export async function savepointsList(ctx: CommandContext): Promise<number> {
  const jobName = jobNameOf(ctx)
  const opened = await openStorage(ctx)
  try {
    const inventory = await listSavepoints(opened.storage, jobName)
    emit(ctx, { type: 'savepoints', stateStore: opened.shown, ...inventory }, () => {
      if (inventory.savepoints.length === 0)
        return [`No savepoints of ${jobName} are recorded (release records: ${inventory.location}).`]
      const present = inventory.savepoints.filter((s) => s.state !== 'pruned')
      return [
        ...table([
          ['AGE', 'SIZE', 'STATE', 'PATH', 'NOTE'],
          ...inventory.savepoints.map((s) => [
            s.ageMs === undefined ? '?' : age(s.ageMs),
            s.state === 'pruned' ? '-' : size(s.sizeBytes),
            s.state,
            s.path,
            note(s),
          ]),
        ]),
        `${present.length} of ${inventory.savepoints.length} savepoint(s) of ${jobName} not pruned.`,
      ]
    })
    return EXIT.ok
  } finally {
    await opened.storage.close()
  }
}

export async function savepointsPrune(ctx: CommandContext): Promise<number> {
  const jobName = jobNameOf(ctx)
  const keep = value<number>(ctx, 'keep')
  const maxAgeMs = value<number>(ctx, 'maxAge')
  if (keep === undefined && maxAgeMs === undefined)
    throw new UsageError('give --keep <n>, --max-age <duration> or both', ctx.command)
  const dryRun = value<boolean>(ctx, 'dryRun') ?? false
  const opened = await openStorage(ctx)
  try {
    const result = await withClient(ctx, (client) =>
      pruneSavepoints(client, opened.storage, { jobName, keep, maxAgeMs, dryRun }),
    )
    render(ctx, result, opened.flags)
    if (result.failed.length > 0)
      throw new CommandFailed(`${result.failed.length} savepoint(s) could not be disposed of`)
    return EXIT.ok
  } finally {
    await opened.storage.close()
  }
}

/** A duration as the flags take it, in the largest unit that keeps it whole. */
function duration(ms: number): string {
  const units = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const
  const [unit, size] = units.find(([, size]) => ms % size === 0) ?? ['ms', 1]
  return `${ms / size}${unit}`
}

function render(ctx: CommandContext, result: PruneResult, flags: string): void {
  const gone = result.dryRun ? result.prune : result.disposed
  const rules = [
    ...(value<number>(ctx, 'keep') !== undefined ? [`--keep ${value<number>(ctx, 'keep')}`] : []),
    ...(value<number>(ctx, 'maxAge') !== undefined
      ? [`--max-age ${duration(value<number>(ctx, 'maxAge')!)}`]
      : []),
  ].join(' ')
  emit(
    ctx,
    {
      type: 'result',
      jobName: result.jobName,
      dryRun: result.dryRun,
      disposed: result.disposed.map((s) => s.path),
      wouldDispose: result.dryRun ? result.prune.map((s) => s.path) : [],
      kept: result.kept.map((k) => ({ path: k.savepoint.path, because: k.because })),
      failed: result.failed.map((f) => ({ path: f.savepoint.path, error: f.error })),
    },
    () => [
      ...gone.map((s) => `${result.dryRun ? 'would dispose' : 'disposed'}  ${s.path}`),
      ...result.kept.map((k) => `kept           ${k.savepoint.path}  (${KEPT[k.because]})`),
      ...result.failed.map((f) => `failed         ${f.savepoint.path}: ${f.error}`),
      `${result.dryRun ? 'Would dispose of' : 'Disposed of'} ${gone.length} savepoint(s), kept ${result.kept.length}.`,
      ...(result.dryRun && gone.length > 0
        ? [
            `Dry run: nothing was disposed of. To prune: flink-deploy savepoints prune ${flags}${flags.includes('--job-name') ? '' : ` --job-name ${shellWord(result.jobName)}`} ${rules}`,
          ]
        : []),
    ],
  )
}
