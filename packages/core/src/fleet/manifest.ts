/**
 * A manifest of many jobs (`flink-deploy.yaml`): the cluster connection and defaults at the top, then
 * `jobs:`, each with the same setting names as the upgrade command (`job-name`, `jar`, `args`, `parallelism`,
 * `strategy`, verification settings...). Validated with zod; the loader turns an issue's path into the file,
 * line and job it is about.
 */
import * as z from 'zod'
import {
  type DeclaredValues,
  inManifest,
  type SettingDeclaration,
  UPGRADE_SETTINGS,
} from '../settings/declaration.ts'

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

/** `500ms`, `30s`, `5m`, `1h`, or a number of seconds, as the CLI takes durations. */
const duration = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  const m = typeof v === 'number' ? [String(v), String(v), 's'] : DURATION.exec(v.trim())
  if (!m) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a duration such as 500ms, 30s, 5m, got ${JSON.stringify(v)}`,
    })
    return z.NEVER
  }
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!)
})

const text = z.string().min(1, 'expected a non-empty string')
const stringMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))

/** How a manifest writes a declared setting: YAML's own booleans and numbers, durations as the CLI takes them. */
function declaredSchema(d: SettingDeclaration): z.ZodType<unknown> {
  switch (d.kind) {
    case 'string':
    case 'secret':
      return text
    case 'list':
      return z.union([text.transform((s) => [s]), z.array(text)])
    case 'boolean':
      return z.boolean()
    case 'enum':
      return z.enum(d.values!)
    case 'positiveInt':
      return z.number().int().positive()
    case 'count':
      return z.number().int().min(0)
    case 'duration':
    case 'durationOrZero':
      return duration
    case 'map':
      return stringMap
  }
}

/** The declared upgrade settings a manifest job takes, under their names. */
const declaredSettings = Object.fromEntries(
  (UPGRADE_SETTINGS as readonly SettingDeclaration[])
    .filter(inManifest)
    .map((d) => [d.name, declaredSchema(d).optional()]),
) as Record<string, z.ZodOptional<z.ZodType<unknown>>>

const list = z.array(z.union([z.string(), z.number()]).transform(String))

/** The settings a job can have, and `defaults:` can give every job; all optional. */
const jobSettings = {
  jar: text.optional(),
  args: list.optional(),
  /** How to run blue again if green fails, for a job first deployed by other means (paths as `jar`). */
  'rollback-jar': text.optional(),
  'rollback-args': list.optional(),
  ...declaredSettings,
  /** Jobs run in waves, lowest first; a job without one runs in wave 1. */
  wave: z.number().int().min(0).optional(),
}

const declaredRollback = new Set(
  (UPGRADE_SETTINGS as readonly SettingDeclaration[])
    .filter((d) => d.option.startsWith('rollback.'))
    .map((d) => d.name),
)

export const ManifestDefaultsSchema = z.strictObject(jobSettings)
export const ManifestJobSchema = z.strictObject({ 'job-name': text, ...jobSettings })

export const ManifestSchema = z
  .strictObject({
    'flink-url': z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL of the JobManager REST endpoint' })
      .optional(),
    'state-dir': text.optional(),
    'state-store': text.optional(),
    defaults: ManifestDefaultsSchema.optional(),
    jobs: z
      .array(z.strictObject({ 'job-name': text, ...jobSettings }).partial({ jar: true }))
      .min(1, 'expected at least one job'),
  })
  .superRefine((m, ctx) => {
    if (m['state-dir'] !== undefined && m['state-store'] !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['state-store'],
        message: 'give state-dir or state-store, not both',
      })
    const seen = new Map<string, number>()
    m.jobs.forEach((job, i) => {
      const first = seen.get(job['job-name'])
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'job-name'],
          message: `duplicate job name "${job['job-name']}" (also job ${first + 1})`,
        })
      seen.set(job['job-name'], i)
      if (job.jar === undefined && m.defaults?.jar === undefined)
        ctx.addIssue({ code: 'custom', path: ['jobs', i], message: 'no jar: give jar here or in defaults' })
      const merged: Record<string, unknown> = { ...m.defaults, ...job }
      const rollback = Object.keys(merged).find(
        (k) => k !== 'rollback-jar' && (k === 'rollback-args' || declaredRollback.has(k)),
      )
      if (rollback && merged['rollback-jar'] === undefined)
        ctx.addIssue({ code: 'custom', path: ['jobs', i, rollback], message: 'needs rollback-jar' })
    })
  })

export type Manifest = z.output<typeof ManifestSchema>
/** A job with the defaults merged in: it has a jar (the manifest is refused otherwise). */
export type ManifestJob = z.output<typeof ManifestJobSchema> & DeclaredValues & { jar: string }

/** Each job with the defaults merged in (a job's own setting wins). */
export function resolvedJobs(manifest: Manifest): ManifestJob[] {
  return manifest.jobs.map((job) => ({ ...manifest.defaults, ...job }) as ManifestJob)
}
