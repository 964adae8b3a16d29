/**
 * Reads a manifest file (YAML, or JSON which is YAML too) and validates it before anything is sent: every
 * mistake is a ManifestInvalidError naming the file, the line and the job, and what was expected.
 */
import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { LineCounter, parseDocument } from 'yaml'
import * as z from 'zod'
import { FlinkDeployError } from '../errors.ts'
import { type Manifest, ManifestJobSchema, ManifestSchema, resolvedJobs } from './manifest.ts'

export class ManifestInvalidError extends FlinkDeployError {
  readonly code = 'MANIFEST_INVALID'
  readonly file: string
  readonly line: number | undefined
  readonly job: string | undefined

  constructor(init: { file: string; line?: number; job?: string; key?: string; problem: string }) {
    const where = `${init.file}${init.line ? `:${init.line}` : ''}`
    const what = [init.job ? `job "${init.job}"` : undefined, init.key].filter(Boolean).join(', ')
    super(`${where}: ${what ? `${what}: ` : ''}${init.problem}`)
    this.file = init.file
    this.line = init.line
    this.job = init.job
  }
}

export interface LoadedManifest {
  file: string
  /** Jar paths are relative to it. */
  baseDir: string
  manifest: Manifest
}

export async function loadManifest(path: string): Promise<LoadedManifest> {
  const file = resolve(path)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new ManifestInvalidError({
      file: path,
      problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
    })
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true })
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? undefined : lines.linePos(offset).line
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!
    throw new ManifestInvalidError({
      file: path,
      line: lineOf(first.pos[0]),
      problem: first.message.split('\n')[0]!,
    })
  }
  const value = doc.toJS() as unknown
  const parsed = ManifestSchema.safeParse(value)
  const jobName = (i: unknown) =>
    typeof i === 'number'
      ? ((value as { jobs?: { 'job-name'?: string }[] }).jobs?.[i]?.['job-name'] ?? `#${i + 1}`)
      : undefined
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const path_ = issue.path as (string | number)[]
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined
    const nodePath = unknownKey ? [...path_, unknownKey] : path_
    const node = doc.getIn(nodePath, true) as { range?: [number, number] } | undefined
    const key = unknownKey ?? (typeof path_.at(-1) === 'string' ? String(path_.at(-1)) : undefined)
    throw new ManifestInvalidError({
      file: path,
      line: lineOf(node?.range?.[0] ?? keyOffset(doc, nodePath)),
      job: path_[0] === 'jobs' ? jobName(path_[1]) : undefined,
      key,
      problem: unknownKey
        ? `unknown key "${unknownKey}"${suggest(unknownKey)}`
        : z
            .prettifyError(new z.ZodError([issue]))
            .replace(/^\u2716 /, '')
            .split('\n')[0]!,
    })
  }
  const baseDir = dirname(file)
  resolvedJobs(parsed.data).forEach((job, i) => {
    const jar = resolve(baseDir, job.jar)
    if (!job.jar.endsWith('.jar') || !existsSync(jar) || !statSync(jar).isFile()) {
      const node = doc.getIn(['jobs', i, 'jar'], true) as { range?: [number, number] } | undefined
      throw new ManifestInvalidError({
        file: path,
        line: lineOf(node?.range?.[0] ?? keyOffset(doc, ['jobs', i])),
        job: job['job-name'],
        key: 'jar',
        problem: job.jar.endsWith('.jar')
          ? `no file at ${job.jar}`
          : `"${job.jar}" does not end in .jar, which Flink requires`,
      })
    }
  })
  return { file, baseDir, manifest: parsed.data }
}

/** Where the closest existing node of a path starts (a missing key is reported at its parent). */
function keyOffset(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number] } | undefined
    if (node?.range) return node.range[0]
  }
  return undefined
}

const KNOWN = [...Object.keys(ManifestSchema.shape), ...Object.keys(ManifestJobSchema.shape)]

function suggest(key: string): string {
  const near = KNOWN.find((k) => distance(k, key) <= 2)
  return near ? `; did you mean "${near}"?` : ''
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = row[j]!
      row[j] = next
    }
  }
  return row[b.length]!
}
