/**
 * Where a command finds a job's run state, lock and release records: local files (`--state-file`, or
 * `<state-dir>/<job>.json`), or a shared store (`--state-store s3://bucket/prefix`) that every machine of a
 * pipeline can reach. Opened and checked before anything is sent to Flink.
 */
import { resolve } from 'node:path'
import {
  fileRunStorage,
  type ObjectStore,
  openObjectStore,
  openStateStore,
  parseStoreUrl,
  type RunStorage,
} from '@flink-deploy/core'
import { asUsageError, nameOf } from './connection.ts'
import { type CommandContext, displayPath, shellWord, value } from './context.ts'
import { UsageError } from './settings.ts'

export const DEFAULT_STATE_DIR = '.flink-deploy'

export interface OpenedStorage {
  storage: RunStorage
  /** The run's state as the user would name it: a path from the working directory, or the store URL. */
  shown: string
  /** The flags that point another command at this run (`--state-file x`, `--state-store u --job-name n`). */
  flags: string
  /** Whether a run exists there (checked before `resume`, `promote`, `reject`). */
  hasRun(): Promise<boolean>
}

/** A file name for a job name: readable, no path separators. */
export function stateFileName(job: string): string {
  return `${job.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_')}.json`
}

/** --state-file, or `<state-dir>/<job>.json` from --job-name / --job-id. */
export function stateFileOf(ctx: CommandContext, required: boolean): string | undefined {
  const given = value<string>(ctx, 'stateFile')
  if (given) return resolve(ctx.io.cwd, given)
  const job = jobOf(ctx)
  if (!job) {
    if (required)
      throw new UsageError(
        'give --state-file, or --job-name/--job-id to use <state-dir>/<job>.json',
        ctx.command,
      )
    return undefined
  }
  return resolve(ctx.io.cwd, value<string>(ctx, 'stateDir') ?? DEFAULT_STATE_DIR, stateFileName(job))
}

const jobOf = (ctx: CommandContext) => value<string>(ctx, 'jobName') ?? value<string>(ctx, 'jobId')

/** The store URL checked as a setting (before any request), or undefined for local files. */
export function storeUrlOf(ctx: CommandContext): string | undefined {
  const url = value<string>(ctx, 'stateStore')
  if (url === undefined) return undefined
  const r = ctx.settings
  for (const local of ['stateFile', 'stateDir'] as const)
    if (r.origin[local])
      throw new UsageError(
        `${nameOf(r, local)}: give ${r.origin[local]} or ${nameOf(r, 'stateStore')}, not both`,
        ctx.command,
      )
  try {
    parseStoreUrl(url, 'stateStore')
  } catch (error) {
    throw asUsageError(error, r, ctx.command) ?? error
  }
  return url
}

export async function openStorage(ctx: CommandContext): Promise<OpenedStorage> {
  const url = storeUrlOf(ctx)
  if (url === undefined) {
    const file = stateFileOf(ctx, true)!
    const shown = displayPath(file, ctx.io.cwd)
    const storage = fileRunStorage(file)
    return {
      storage,
      shown,
      flags: `--state-file ${shellWord(shown)}`,
      hasRun: async () => (await storage.state.read()) !== undefined,
    }
  }
  const job = jobOf(ctx)
  if (!job)
    throw new UsageError(
      `${nameOf(ctx.settings, 'stateStore')}: give --job-name or --job-id too, to choose the job's state in the store`,
      ctx.command,
    )
  const jobFlag =
    value<string>(ctx, 'jobName') !== undefined ? `--job-name ${shellWord(job)}` : `--job-id ${job}`
  const flags = `--state-store ${shellWord(url)} ${jobFlag}`
  const lease = value<number>(ctx, 'lockLease')
  const storage = await openStateStore(url, {
    job,
    argument: 'stateStore',
    ...(lease ? { leaseMs: lease } : {}),
    unlockHint: `run \`flink-deploy unlock ${flags}\``,
  }).catch((error: unknown) => {
    throw asUsageError(error, ctx.settings, ctx.command) ?? error
  })
  return {
    storage,
    shown: storage.location,
    flags,
    hasRun: async () => (await storage.state.read()) !== undefined,
  }
}

/** The whole store at `url` (every job in it), checked like a setting: a bad URL or bucket is bad input. */
export function openStoreOf(ctx: CommandContext, url: string): Promise<ObjectStore> {
  return openObjectStore(url, { argument: 'stateStore' }).catch((error: unknown) => {
    throw asUsageError(error, ctx.settings, ctx.command) ?? error
  })
}
