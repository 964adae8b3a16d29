/**
 * The default state store: one JSON file per run, replaced atomically after every transition. Also an
 * in-memory store for tests and for library users who keep state elsewhere.
 */
import { resolve } from 'node:path'
import * as z from 'zod'
import { InvalidArgumentError } from '../errors.ts'
import { readFileIfExists, removeFile, writeFileAtomic } from './atomic-file.ts'
import { StateFileInvalidError } from './errors.ts'
import type { PersistedRun, StateStore } from './state-store.ts'

export const CURRENT_FORMAT_VERSION = 1

/** The shape of a persisted run; extra fields are kept, so a reader does not drop what a newer writer added. */
export const PersistedRunSchema = z.looseObject({
  formatVersion: z.literal(CURRENT_FORMAT_VERSION),
  machine: z.string().min(1),
  machineVersion: z.number().int().nonnegative(),
  runId: z.string().min(1),
  snapshot: z.unknown().refine((v) => v !== undefined, 'missing'),
  updatedAt: z.string().min(1),
})

export function createFileStateStore(path: string): StateStore {
  const file = resolve(path)
  return {
    location: `file ${file}`,
    async read() {
      const text = await readFileIfExists(file)
      if (text === undefined) return undefined
      return parseVersionedJson(text, { path: file, what: 'state file', schema: PersistedRunSchema })
    },
    async write(run) {
      const checked = validateForWrite(run, file)
      await writeFileAtomic(file, `${JSON.stringify(checked, null, 2)}\n`)
    },
    async clear() {
      await removeFile(file)
    },
  }
}

/** A store that keeps the run in memory as JSON text (so it holds a copy, and non-JSON values are caught). */
export function createMemoryStateStore(initial?: PersistedRun): StateStore {
  let text: string | undefined
  const store: StateStore = {
    location: 'memory',
    async read() {
      if (text === undefined) return undefined
      return parseVersionedJson(text, { path: 'memory', what: 'state', schema: PersistedRunSchema })
    },
    async write(run) {
      text = JSON.stringify(validateForWrite(run, 'memory'))
    },
    async clear() {
      text = undefined
    },
  }
  if (initial) text = JSON.stringify(validateForWrite(initial, 'memory'))
  return store
}

export function validateForWrite(run: PersistedRun, path: string): PersistedRun {
  // A run that could not be read back must not replace a good one.
  let json: unknown
  try {
    json = JSON.parse(JSON.stringify(run))
  } catch (error) {
    throw new InvalidArgumentError(
      'run',
      `cannot be written to ${path}: not JSON-serialisable (${error instanceof Error ? error.message : String(error)})`,
    )
  }
  const result = PersistedRunSchema.safeParse(json)
  if (!result.success) {
    throw new InvalidArgumentError(
      'run',
      `cannot be written to ${path}: ${z.prettifyError(result.error).replaceAll('\n', ' ')}`,
    )
  }
  return result.data as PersistedRun
}

/**
 * Parses a JSON file that carries a `formatVersion`: not JSON, a version other than `CURRENT_FORMAT_VERSION`
 * or the wrong shape is a StateFileInvalidError naming the file and the problem.
 */
export function parseVersionedJson<S extends z.ZodType>(
  text: string,
  init: { path: string; what: string; schema: S },
): z.output<S> {
  const { path, what, schema } = init
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    const detail =
      text.trim() === ''
        ? 'it is empty'
        : `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`
    throw new StateFileInvalidError({ path, what, problem: 'not-json', detail })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StateFileInvalidError({ path, what, problem: 'shape', detail: 'it is not a JSON object' })
  }
  const version = (value as { formatVersion?: unknown }).formatVersion
  if (version !== CURRENT_FORMAT_VERSION) {
    throw new StateFileInvalidError({
      path,
      what,
      problem: 'version',
      detail:
        version === undefined
          ? `it has no formatVersion (this flink-deploy reads formatVersion ${CURRENT_FORMAT_VERSION})`
          : `its formatVersion is ${JSON.stringify(version)}, this flink-deploy reads formatVersion ${CURRENT_FORMAT_VERSION}`,
    })
  }
  const result = schema.safeParse(value)
  if (!result.success) {
    throw new StateFileInvalidError({
      path,
      what,
      problem: 'shape',
      detail: z.prettifyError(result.error).replaceAll('\n', ' '),
    })
  }
  return result.data
}
