/**
 * Per job name, the run settings of the last successful deployment, so a later upgrade can roll back to it
 * (run that jar with those arguments, parallelism and configuration) even when blue's own settings cannot be
 * read from Flink. One JSON file per job name, written with the same atomic writer as the state file.
 */
import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'
import * as z from 'zod'
import { InvalidArgumentError } from '../errors.ts'
import { readFileIfExists, removeFile, writeFileAtomic } from './atomic-file.ts'
import { StateFileInvalidError } from './errors.ts'
import { CURRENT_FORMAT_VERSION, parseVersionedJson } from './file-state-store.ts'

/**
 * A savepoint flink-deploy took of the job (or a checkpoint it used instead), kept in the job's release
 * record across releases so old ones can be listed and pruned. Whether it was pruned is written here and
 * nowhere else.
 */
export const TakenSavepointSchema = z.object({
  path: z.string().min(1),
  /** ISO time the savepoint was triggered. */
  takenAt: z.string().min(1),
  /** The job it was taken of. */
  jobId: z.string().optional(),
  /** The run that took it. */
  runId: z.string().min(1),
  /** A 'checkpoint' (last-state, checkpoint fallback) belongs to Flink's checkpoint retention, not to us. */
  kind: z.enum(['savepoint', 'checkpoint']),
  /** A job restored from it with claim mode CLAIM: Flink owns it now and deletes it itself. */
  claimed: z.boolean().optional(),
  /** ISO time `savepoints prune` disposed of it. */
  prunedAt: z.string().optional(),
})
export type TakenSavepoint = z.infer<typeof TakenSavepointSchema>

/**
 * One upgrade's downtime as the plan's model estimated it and as it was measured (blue ended → green running),
 * kept so the next plan of the job can correct the model for this cluster (downtime-estimate.ts).
 */
export const MeasuredDowntimeSchema = z.object({
  /** ISO time the upgrade was verified. */
  at: z.string().min(1),
  /** The cluster green was restored on. */
  flinkUrl: z.string().min(1),
  mode: z.enum(['savepoint', 'last-state']),
  format: z.enum(['canonical', 'native']),
  stateBytes: z.number().nonnegative(),
  /** The model's estimate, before any correction from earlier upgrades. */
  modelMs: z.number().positive(),
  measuredMs: z.number().nonnegative(),
})
export type MeasuredDowntime = z.infer<typeof MeasuredDowntimeSchema>
/** How many measured downtimes a release record keeps, newest last. */
export const MEASURED_DOWNTIMES_KEPT = 5

export const ReleaseRecordSchema = z.object({
  jobName: z.string().min(1),
  jobId: z.string().regex(/^[0-9a-f]{32}$/, 'expected a Flink JobID (32 lowercase hex characters)'),
  /** The jar file the deployment was made from, when known (for messages; the jar id may be gone). */
  jarPath: z.string().optional(),
  jarSha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 in lowercase hex'),
  jarId: z.string().min(1),
  entryClass: z.string().optional(),
  programArgs: z.array(z.string()),
  parallelism: z.number().int().positive().optional(),
  flinkConfiguration: z.record(z.string(), z.string()).optional(),
  /** The cluster's REST endpoint the job runs on; absent in records written before jobs could move. */
  flinkUrl: z.string().optional(),
  /** The savepoint the deployment restored from, if any. */
  savepointPath: z.string().optional(),
  /** ISO time the deployment was verified. */
  deployedAt: z.string().min(1),
  /** The run that made this deployment: its savepoints are what a rollback of this release needs. */
  runId: z.string().optional(),
  /** Savepoints flink-deploy took of the job, oldest first (absent in records written before retention). */
  savepoints: z.array(TakenSavepointSchema).optional(),
  /** The job's last upgrades' downtimes, oldest first (absent in records written before the estimate learnt). */
  downtimes: z.array(MeasuredDowntimeSchema).optional(),
})
export type ReleaseRecord = z.infer<typeof ReleaseRecordSchema>

const ReleaseFileSchema = z.object({
  formatVersion: z.literal(CURRENT_FORMAT_VERSION),
  release: ReleaseRecordSchema,
})

export interface ReleaseRecordStore {
  /** Where the records live, for messages. */
  readonly location: string
  /** The last successful deployment of `jobName`, or undefined when none was recorded. */
  read(jobName: string): Promise<ReleaseRecord | undefined>
  /** Replaces the record of `record.jobName` atomically. */
  write(record: ReleaseRecord): Promise<void>
  remove(jobName: string): Promise<void>
}

/** One file per job name in `directory`: `<sanitised name>-<hash>.release.json`. */
export function createFileReleaseRecords(directory: string): ReleaseRecordStore {
  const dir = resolve(directory)
  return {
    location: `directory ${dir}`,
    read: (jobName) => readReleaseRecord(releaseRecordPath(dir, jobName), jobName),
    write: (record) => writeReleaseRecord(releaseRecordPath(dir, record.jobName), record),
    remove: (jobName) => removeFile(releaseRecordPath(dir, jobName)),
  }
}

export function createMemoryReleaseRecords(): ReleaseRecordStore {
  const records = new Map<string, string>()
  return {
    location: 'memory',
    async read(jobName) {
      const text = records.get(jobName)
      return text === undefined ? undefined : parseReleaseRecord(text, 'memory', jobName)
    },
    async write(record) {
      records.set(record.jobName, serialiseReleaseRecord(record))
    },
    async remove(jobName) {
      records.delete(jobName)
    },
  }
}

/**
 * The file of a job name: readable, and distinct for distinct names (job names may hold spaces, slashes or
 * differ only in case, so a hash of the exact name is part of it).
 */
export function releaseRecordPath(directory: string, jobName: string): string {
  const readable = jobName.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)
  const hash = createHash('sha256').update(jobName).digest('hex').slice(0, 12)
  return join(directory, `${readable}-${hash}.release.json`)
}

export async function readReleaseRecord(path: string, jobName?: string): Promise<ReleaseRecord | undefined> {
  const file = resolve(path)
  const text = await readFileIfExists(file)
  return text === undefined ? undefined : parseReleaseRecord(text, file, jobName)
}

export async function writeReleaseRecord(path: string, record: ReleaseRecord): Promise<void> {
  await writeFileAtomic(resolve(path), serialiseReleaseRecord(record))
}

export function serialiseReleaseRecord(record: ReleaseRecord): string {
  const parsed = ReleaseRecordSchema.safeParse(record)
  if (!parsed.success)
    throw new InvalidArgumentError('release record', z.prettifyError(parsed.error).replaceAll('\n', ' '))
  return `${JSON.stringify({ formatVersion: CURRENT_FORMAT_VERSION, release: parsed.data }, null, 2)}\n`
}

export function parseReleaseRecord(text: string, path: string, jobName: string | undefined): ReleaseRecord {
  const { release } = parseVersionedJson(text, { path, what: 'release record', schema: ReleaseFileSchema })
  if (jobName !== undefined && release.jobName !== jobName) {
    // Two names that sanitise alike would still differ in the hash; this guards against files moved by hand.
    throw new StateFileInvalidError({
      path,
      what: 'release record',
      problem: 'shape',
      detail: `it is for job "${release.jobName}", not "${jobName}"`,
    })
  }
  return release
}
