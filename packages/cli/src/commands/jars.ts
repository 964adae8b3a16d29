/**
 * `jars list` and `jars prune`. A jar is in use when a release record (how a job was last deployed, and how
 * it would be rolled back to) or a state file of a run names it. Prune deletes the others, never while a
 * run holds a lock in the state directory.
 */
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import {
  isTerminal,
  JOBS_PREFIX,
  jobKey,
  jobsInListing,
  objectRunStorage,
  type ReleaseRecord,
  readLeaseHolder,
  readLockHolder,
  readReleaseRecord,
} from '@flink-deploy/core'
import { type CommandContext, displayPath, value } from '../context.ts'
import { EXIT } from '../exit-codes.ts'
import { DEFAULT_STATE_DIR, openStoreOf, storeUrlOf } from '../storage.ts'
import { emit, withClient } from './cluster.ts'
import { CommandFailed } from './command-failed.ts'
import { releasesDir } from './upgrade.ts'

function stateDirOf(ctx: CommandContext): string {
  const stateFile = value<string>(ctx, 'stateFile')
  if (stateFile) return dirname(resolve(ctx.io.cwd, stateFile))
  return resolve(ctx.io.cwd, value<string>(ctx, 'stateDir') ?? DEFAULT_STATE_DIR)
}

async function files(dir: string, suffix: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[])
  return names.filter((n) => n.endsWith(suffix)).map((n) => join(dir, n))
}

interface Usage {
  /** Jar id → what uses it ("release of orders", "run in orders.json"). */
  users: Map<string, string[]>
  records: ReleaseRecord[]
  /** State files whose runs are locked right now. */
  locked: string[]
}

async function usage(stateDir: string, jarIds: string[], cwd: string): Promise<Usage> {
  const users = new Map<string, string[]>()
  const use = (jarId: string, user: string) => users.set(jarId, [...(users.get(jarId) ?? []), user])
  const records: ReleaseRecord[] = []
  for (const path of await files(releasesDir(stateDir), '.release.json')) {
    const record = await readReleaseRecord(path)
    if (!record) continue
    records.push(record)
    use(record.jarId, `release of ${record.jobName}`)
  }
  for (const path of await files(stateDir, '.json')) {
    const text = await readFile(path, 'utf8').catch(() => '')
    for (const id of jarIds) if (text.includes(id)) use(id, `run in ${displayPath(path, cwd)}`)
  }
  const locked: string[] = []
  for (const path of await files(stateDir, '.lock')) if (await readLockHolder(path)) locked.push(path)
  return { users, records, locked }
}

/** The same from a shared store: every job's release record, run state and lock under the store URL. */
async function storeUsage(ctx: CommandContext, url: string, jarIds: string[]): Promise<Usage> {
  const objects = await openStoreOf(ctx, url)
  try {
    const users = new Map<string, string[]>()
    const use = (jarId: string, user: string) => users.set(jarId, [...(users.get(jarId) ?? []), user])
    const records: ReleaseRecord[] = []
    const locked: string[] = []
    for (const job of jobsInListing(await objects.list(JOBS_PREFIX))) {
      const storage = objectRunStorage(objects, { job })
      const [record, run, holder] = await Promise.all([
        storage.releases.read(job),
        objects.get(jobKey(job, 'run.json')),
        readLeaseHolder(objects, jobKey(job, 'lock.json')),
      ])
      if (record) {
        records.push(record)
        use(record.jarId, `release of ${record.jobName}`)
      }
      for (const id of jarIds) if (run?.body.includes(id)) use(id, `run of ${job} in ${url}`)
      if (holder) locked.push(`${objects.location}${jobKey(job, 'lock.json')}`)
    }
    return { users, records, locked }
  } finally {
    await objects.close()
  }
}

/** Who uses which jar, from the shared store when one is given, else from the local state directory. */
function usageOf(ctx: CommandContext, jarIds: string[]): Promise<Usage> {
  const url = storeUrlOf(ctx)
  return url ? storeUsage(ctx, url, jarIds) : usage(stateDirOf(ctx), jarIds, ctx.io.cwd)
}

/** Where usage was read from, for the JSON output and messages. */
function sourceOf(ctx: CommandContext): { stateDir: string } | { stateStore: string } {
  const url = storeUrlOf(ctx)
  return url ? { stateStore: url } : { stateDir: stateDirOf(ctx) }
}

const date = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')

export async function jarsList(ctx: CommandContext): Promise<number> {
  const source = sourceOf(ctx)
  return withClient(ctx, async (client) => {
    const { files: jars } = await client.jars.list()
    const { users } = await usageOf(
      ctx,
      jars.map((j) => j.id),
    )
    const rows = jars
      .map((j) => ({ id: j.id, name: j.name, uploaded: j.uploaded, usedBy: users.get(j.id) ?? [] }))
      .sort((a, b) => b.uploaded - a.uploaded)
    emit(ctx, { type: 'jars', ...source, jars: rows }, () =>
      rows.length === 0
        ? ['No jars on the cluster.']
        : rows.map(
            (j) => `${j.id}  ${date(j.uploaded)}  ${j.usedBy.length > 0 ? j.usedBy.join(', ') : 'unused'}`,
          ),
    )
    return EXIT.ok
  })
}

export async function jarsPrune(ctx: CommandContext): Promise<number> {
  const source = sourceOf(ctx)
  const where = 'stateStore' in source ? source.stateStore : displayPath(source.stateDir, ctx.io.cwd)
  const dryRun = value<boolean>(ctx, 'dryRun') ?? false
  return withClient(ctx, async (client) => {
    const [{ files: jars }, { jobs }] = await Promise.all([client.jars.list(), client.jobs.overview()])
    const { users, records, locked } = await usageOf(
      ctx,
      jars.map((j) => j.id),
    )
    if (locked.length > 0) {
      ctx.stderr.write(
        `A run is in progress (${locked.map((l) => displayPath(l, ctx.io.cwd)).join(', ')} held); nothing was deleted. Prune when it is over.\n`,
      )
      return EXIT.locked
    }
    // Running jobs deployed by other means: flink-deploy cannot tell which jar they came from.
    const recorded = new Set(records.map((r) => r.jobId))
    const recordedNames = new Set(records.map((r) => r.jobName))
    const unknown = jobs.filter(
      (j) => !isTerminal(j.state) && !recorded.has(j.jid) && !recordedNames.has(j.name),
    )
    for (const j of unknown) {
      ctx.stderr.write(
        `warning: job ${j.jid} (${j.name}) runs without a release record in ${where}; ` +
          'its jar cannot be told apart (deleting it does not stop the job)\n',
      )
    }
    const keep = jars.filter((j) => users.has(j.id))
    const remove = jars.filter((j) => !users.has(j.id))
    const deleted: string[] = []
    const failed: { id: string; error: string }[] = []
    if (!dryRun) {
      for (const jar of remove) {
        try {
          await client.jars.delete({ jarid: jar.id })
          deleted.push(jar.id)
        } catch (error) {
          failed.push({ id: jar.id, error: error instanceof Error ? error.message : String(error) })
        }
      }
    }
    emit(
      ctx,
      {
        type: 'result',
        dryRun,
        ...source,
        deleted: dryRun ? [] : deleted,
        wouldDelete: dryRun ? remove.map((j) => j.id) : [],
        kept: keep.map((j) => ({ id: j.id, usedBy: users.get(j.id) })),
        failed,
      },
      () => [
        ...remove
          .filter((j) => dryRun || deleted.includes(j.id))
          .map((j) => `${dryRun ? 'would delete' : 'deleted'}  ${j.id}  (uploaded ${date(j.uploaded)})`),
        ...keep.map((j) => `kept          ${j.id}  (${users.get(j.id)!.join(', ')})`),
        ...failed.map((f) => `failed        ${f.id}: ${f.error}`),
        `${dryRun ? 'Would delete' : 'Deleted'} ${dryRun ? remove.length : deleted.length} jar(s), kept ${keep.length}${dryRun ? ' (dry run: nothing was deleted)' : ''}.`,
      ],
    )
    if (failed.length > 0) throw new CommandFailed(`${failed.length} jar(s) could not be deleted`)
    return EXIT.ok
  })
}
