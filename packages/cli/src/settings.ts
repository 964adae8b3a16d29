/**
 * Every setting of the CLI in one table: its flag, its environment variable, its key in a config file, and
 * how its text is read. The upgrade settings that pass through to core come from core's declaration
 * (UPGRADE_SETTINGS); the rest (connection, job, jars, state, output) are the CLI's own. Values come from flags, then `FLINK_DEPLOY_*` variables, then the config file
 * (`--config`, YAML or JSON); each is validated with zod, and a mistake is reported under the name the user
 * wrote (`--parallelism`, `FLINK_DEPLOY_PARALLELISM`, `deploy.yaml:7: parallelism`) before anything is sent.
 */
import { type SettingDeclaration, UPGRADE_SETTINGS } from '@flink-deploy/core'
import * as z from 'zod'

export type Kind =
  | 'string'
  | 'secret'
  | 'path'
  | 'url'
  | 'jobId'
  | 'boolean'
  | 'positiveInt'
  | 'count'
  | 'duration'
  | 'durationOrZero'
  | 'enum'
  | 'list'
  | 'jsonList'
  | 'map'
  | 'secretMap'

export interface Setting {
  /** Internal key, camelCase. */
  key: string
  /** Flag name without the dashes. */
  flag: string
  kind: Kind
  /** Environment variable; derived from the flag unless given (`--job-name` → FLINK_DEPLOY_JOB_NAME). */
  env?: string
  /** Key in the config file; the flag name unless given. */
  fileKey?: string
  /** Values of an enum. */
  values?: readonly string[]
  /** Placeholder in the help text (`<path>`). */
  arg?: string
  help: string
  /** Read from flags only (e.g. the job a `cancel` acts on must be named explicitly). */
  flagOnly?: boolean
  short?: string
}

const S = (s: Setting) => s

/** `verify-timeout` → `verifyTimeout`, in types as in values. */
type Camel<T extends string> = T extends `${infer H}-${infer R}` ? `${H}${Capitalize<Camel<R>>}` : T
export const camel = <T extends string>(name: T) =>
  name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as Camel<T>

type Declared = (typeof UPGRADE_SETTINGS)[number]
/** The settings core declares (pass-through upgrade options), as CLI settings. */
const DECLARED = Object.fromEntries(
  (UPGRADE_SETTINGS as readonly SettingDeclaration[]).map((d) => [
    camel(d.name),
    S({ key: camel(d.name), flag: d.name, kind: d.kind, values: d.values, arg: d.arg, help: d.help }),
  ]),
) as { [D in Declared as Camel<D['name']>]: Setting }

export type DeclaredKey = keyof typeof DECLARED

/** The CLI keys of core's declared settings that `command` takes. */
export const declaredFor = (command: string): DeclaredKey[] =>
  (UPGRADE_SETTINGS as readonly SettingDeclaration[])
    .filter((d) => command === 'upgrade' || d.commands?.includes(command))
    .map((d) => camel(d.name) as DeclaredKey)

/** The declaration behind a CLI setting, when core declares it. */
export const declarationOf = (key: string): SettingDeclaration | undefined =>
  (UPGRADE_SETTINGS as readonly SettingDeclaration[]).find((d) => camel(d.name) === key)

export const SETTINGS = {
  ...DECLARED,
  // Global
  config: S({
    key: 'config',
    flag: 'config',
    kind: 'path',
    arg: '<file>',
    help: 'YAML or JSON file with settings (keys are the flag names); flags and environment variables override it',
  }),
  json: S({
    key: 'json',
    flag: 'json',
    kind: 'boolean',
    help: 'NDJSON on stdout: one event per line, then one {"type":"result"} line; diagnostics on stderr',
  }),
  // Connection
  flinkUrl: S({
    key: 'flinkUrl',
    flag: 'flink-url',
    kind: 'url',
    arg: '<url>',
    help: 'JobManager REST endpoint, e.g. http://localhost:8081 or https://gateway/flink/',
  }),
  token: S({ key: 'token', flag: 'token', kind: 'secret', arg: '<token>', help: 'bearer token' }),
  username: S({ key: 'username', flag: 'username', kind: 'string', arg: '<user>', help: 'basic auth user' }),
  password: S({
    key: 'password',
    flag: 'password',
    kind: 'secret',
    arg: '<password>',
    help: 'basic auth password (prefer FLINK_DEPLOY_PASSWORD)',
  }),
  header: S({
    key: 'header',
    flag: 'header',
    fileKey: 'headers',
    env: 'FLINK_DEPLOY_HEADERS',
    kind: 'secretMap',
    arg: '<name=value>',
    help: 'extra HTTP header, repeatable; values are treated as secrets (env: one per line)',
  }),
  caCert: S({
    key: 'caCert',
    flag: 'ca-cert',
    kind: 'path',
    arg: '<pem>',
    help: 'CA bundle that signed the server certificate',
  }),
  clientCert: S({
    key: 'clientCert',
    flag: 'client-cert',
    kind: 'path',
    arg: '<pem>',
    help: 'client certificate for mutual TLS',
  }),
  clientKey: S({
    key: 'clientKey',
    flag: 'client-key',
    kind: 'path',
    arg: '<pem>',
    help: 'client key for mutual TLS',
  }),
  insecure: S({
    key: 'insecure',
    flag: 'insecure',
    kind: 'boolean',
    help: 'accept any server certificate (throwaway test clusters only)',
  }),
  unreachableTimeout: S({
    key: 'unreachableTimeout',
    flag: 'unreachable-timeout',
    kind: 'durationOrZero',
    arg: '<duration>',
    help: 'how long to wait out a JobManager that stopped answering (a failover) before failing (default 2m)',
  }),
  // The target cluster of a move
  toFlinkUrl: S({
    key: 'toFlinkUrl',
    flag: 'to-flink-url',
    kind: 'url',
    arg: '<url>',
    help: "move the job: start green on this cluster (blue's savepoint must be on storage both reach, e.g. s3://)",
  }),
  toToken: S({
    key: 'toToken',
    flag: 'to-token',
    kind: 'secret',
    arg: '<token>',
    help: 'target: bearer token',
  }),
  toUsername: S({
    key: 'toUsername',
    flag: 'to-username',
    kind: 'string',
    arg: '<user>',
    help: 'target: basic auth user',
  }),
  toPassword: S({
    key: 'toPassword',
    flag: 'to-password',
    kind: 'secret',
    arg: '<password>',
    help: 'target: basic auth password (prefer FLINK_DEPLOY_TO_PASSWORD)',
  }),
  toHeader: S({
    key: 'toHeader',
    flag: 'to-header',
    fileKey: 'to-headers',
    env: 'FLINK_DEPLOY_TO_HEADERS',
    kind: 'secretMap',
    arg: '<name=value>',
    help: 'target: extra HTTP header, repeatable (env: one per line)',
  }),
  toCaCert: S({
    key: 'toCaCert',
    flag: 'to-ca-cert',
    kind: 'path',
    arg: '<pem>',
    help: "target: CA bundle that signed the target's certificate",
  }),
  toClientCert: S({
    key: 'toClientCert',
    flag: 'to-client-cert',
    kind: 'path',
    arg: '<pem>',
    help: 'target: client certificate for mutual TLS',
  }),
  toClientKey: S({
    key: 'toClientKey',
    flag: 'to-client-key',
    kind: 'path',
    arg: '<pem>',
    help: 'target: client key for mutual TLS',
  }),
  toInsecure: S({
    key: 'toInsecure',
    flag: 'to-insecure',
    kind: 'boolean',
    help: 'target: accept any server certificate (throwaway test clusters only)',
  }),
  // Job selection and state
  jobName: S({
    key: 'jobName',
    flag: 'job-name',
    kind: 'string',
    arg: '<name>',
    help: 'the job, by name (deployed when nothing of that name runs)',
  }),
  jobId: S({
    key: 'jobId',
    flag: 'job-id',
    kind: 'jobId',
    arg: '<id>',
    help: 'the job, by its Flink job id',
  }),
  stateFile: S({
    key: 'stateFile',
    flag: 'state-file',
    kind: 'path',
    arg: '<file>',
    help: 'where the run is persisted and locked (default <state-dir>/<job>.json)',
  }),
  stateDir: S({
    key: 'stateDir',
    flag: 'state-dir',
    kind: 'path',
    arg: '<dir>',
    help: 'directory of state files and release records (default .flink-deploy)',
  }),
  stateStore: S({
    key: 'stateStore',
    flag: 'state-store',
    kind: 'string',
    arg: '<url>',
    help: 'shared store for run state, lock and release records, e.g. s3://bucket/prefix (credentials, region and AWS_ENDPOINT_URL_S3 as for any AWS tool); default: local files',
  }),
  lockLease: S({
    key: 'lockLease',
    flag: 'lock-lease',
    kind: 'duration',
    arg: '<duration>',
    help: 'with --state-store: how long the lock holds unless renewed, so a vanished run blocks no longer (default 60s)',
  }),
  lockOwner: S({
    key: 'lockOwner',
    flag: 'lock-owner',
    kind: 'string',
    arg: '<text>',
    help: 'who holds the lock, shown to a run it refuses (default user@host)',
  }),
  forceUnlock: S({
    key: 'forceUnlock',
    flag: 'force-unlock',
    kind: 'boolean',
    help: 'remove the lock of this job first, whoever holds it (only when that run is surely gone)',
    flagOnly: true,
  }),
  // Upgrade
  jar: S({ key: 'jar', flag: 'jar', kind: 'path', arg: '<path>', help: 'the new release jar on local disk' }),
  args: S({
    key: 'args',
    flag: 'arg',
    fileKey: 'args',
    env: 'FLINK_DEPLOY_ARGS',
    kind: 'list',
    arg: '<arg>',
    help: 'one program argument, repeatable, in order (env: a JSON array)',
  }),
  argsJson: S({
    key: 'argsJson',
    flag: 'args-json',
    kind: 'jsonList',
    arg: '<json>',
    help: 'all program arguments as a JSON array, instead of --arg',
  }),
  rollbackJar: S({
    key: 'rollbackJar',
    flag: 'rollback-jar',
    kind: 'path',
    arg: '<path>',
    help: 'how to run blue again if green fails, for a job not yet deployed by flink-deploy',
  }),
  rollbackArgs: S({
    key: 'rollbackArgs',
    flag: 'rollback-arg',
    fileKey: 'rollback-args',
    env: 'FLINK_DEPLOY_ROLLBACK_ARGS',
    kind: 'list',
    arg: '<arg>',
    help: "one of blue's program arguments for a rollback, repeatable (env: a JSON array)",
  }),
  rollbackArgsJson: S({
    key: 'rollbackArgsJson',
    flag: 'rollback-args-json',
    kind: 'jsonList',
    arg: '<json>',
    help: "blue's program arguments for a rollback as a JSON array, instead of --rollback-arg",
  }),
  // Manifests
  file: S({
    key: 'file',
    flag: 'file',
    short: 'f',
    kind: 'path',
    arg: '<manifest>',
    help: 'the manifest of jobs (default flink-deploy.yaml)',
  }),
  concurrency: S({
    key: 'concurrency',
    flag: 'concurrency',
    kind: 'positiveInt',
    arg: '<n>',
    help: 'jobs upgraded at once within a wave (default 3)',
  }),
  continueOnFailure: S({
    key: 'continueOnFailure',
    flag: 'continue-on-failure',
    kind: 'boolean',
    help: 'run the later waves even after a job failed',
  }),
  // Other commands
  reason: S({
    key: 'reason',
    flag: 'reason',
    kind: 'string',
    arg: '<text>',
    help: 'why green is rejected (in the result)',
    flagOnly: true,
  }),
  stop: S({
    key: 'stop',
    flag: 'stop',
    kind: 'boolean',
    help: 'stop the job with the savepoint (it ends FINISHED)',
    flagOnly: true,
  }),
  keep: S({
    key: 'keep',
    flag: 'keep',
    kind: 'count',
    arg: '<n>',
    help: 'keep the newest n savepoints flink-deploy took (the rollback target and what a run needs stay anyway)',
  }),
  maxAge: S({
    key: 'maxAge',
    flag: 'max-age',
    kind: 'duration',
    arg: '<duration>',
    help: 'dispose of savepoints older than this, e.g. 7d (the rollback target and what a run needs stay anyway)',
  }),
  all: S({
    key: 'all',
    flag: 'all',
    kind: 'boolean',
    help: 'also list jobs that have ended',
    flagOnly: true,
  }),
} satisfies Record<string, Setting>

export type SettingKey = keyof typeof SETTINGS

/** Settings of the connection to Flink, which every command but a few takes. */
export const CONNECTION_KEYS = [
  'flinkUrl',
  'token',
  'username',
  'password',
  'header',
  'caCert',
  'clientCert',
  'clientKey',
  'insecure',
] as const satisfies readonly SettingKey[]

/** Settings of the client that hold for every cluster of a command (blue's and a move's target). */
export const CLIENT_KEYS = ['unreachableTimeout'] as const satisfies readonly SettingKey[]

/** The same settings for the target cluster of a move (`--to-flink-url`...). */
export const TARGET_KEYS = [
  'toFlinkUrl',
  'toToken',
  'toUsername',
  'toPassword',
  'toHeader',
  'toCaCert',
  'toClientCert',
  'toClientKey',
  'toInsecure',
] as const satisfies readonly SettingKey[]

export const envName = (s: Setting) => s.env ?? `FLINK_DEPLOY_${s.flag.toUpperCase().replaceAll('-', '_')}`
export const fileKey = (s: Setting) => s.fileKey ?? s.flag
const isMultiple = (s: Setting) => s.kind === 'list' || s.kind === 'map' || s.kind === 'secretMap'

/** Bad input: reported with exit code 2, before anything is sent. */
export class UsageError extends Error {
  /** The command whose --help to point at. */
  readonly command: string | undefined
  constructor(message: string, command?: string) {
    super(message)
    this.name = 'UsageError'
    this.command = command
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading a value of each kind

const show = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value))

const text = (message: (v: unknown) => string, secret = false) =>
  z.unknown().transform((v, ctx) => {
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
    if (typeof v !== 'string') {
      ctx.addIssue({ code: 'custom', message: `expected a string, got ${secret ? 'another type' : show(v)}` })
      return z.NEVER
    }
    if (v.trim() === '') {
      ctx.addIssue({ code: 'custom', message: message(v) })
      return z.NEVER
    }
    return v
  })

function custom<T>(read: (s: string) => T | undefined, expected: string) {
  return text(() => `${expected}, got an empty value`).transform((s, ctx) => {
    const value = read(s.trim())
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `${expected}, got ${show(s)}` })
      return z.NEVER
    }
    return value
  })
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export function parseDuration(s: string): number | undefined {
  const m = DURATION.exec(s)
  if (!m) return undefined
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!)
}

const stringList = (what: string) =>
  z.unknown().transform((v, ctx) => {
    const list = typeof v === 'string' ? [v] : v
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${show(v)}` })
      return z.NEVER
    }
    return list.map(String)
  })

const jsonList = z.unknown().transform((v, ctx) => {
  const expected = 'expected a JSON array of strings such as ["--name","orders"]'
  let parsed: unknown = v
  if (typeof v === 'string') {
    try {
      parsed = JSON.parse(v)
    } catch {
      ctx.addIssue({ code: 'custom', message: `${expected}, got ${show(v)}` })
      return z.NEVER
    }
  }
  if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string')) {
    ctx.addIssue({ code: 'custom', message: `${expected}, got ${show(v)}` })
    return z.NEVER
  }
  return parsed as string[]
})

const keyValues = (secret: boolean) =>
  z.unknown().transform((v, ctx) => {
    const out: Record<string, string> = {}
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, value] of Object.entries(v)) {
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          ctx.addIssue({ code: 'custom', message: `expected a string value for "${k}"` })
          return z.NEVER
        }
        out[k] = String(value)
      }
      return out
    }
    const entries =
      typeof v === 'string'
        ? v.split(/\r?\n/).filter((l) => l.trim() !== '')
        : Array.isArray(v)
          ? v
          : undefined
    if (!entries) {
      ctx.addIssue({ code: 'custom', message: 'expected key=value entries' })
      return z.NEVER
    }
    for (const entry of entries) {
      const s = String(entry)
      const eq = s.indexOf('=')
      if (eq <= 0) {
        // A header without "=" may be a bare secret: never echo it.
        const got = secret ? (eq === 0 ? 'an empty name' : 'no "="') : show(s)
        ctx.addIssue({ code: 'custom', message: `expected name=value, got ${got}` })
        return z.NEVER
      }
      out[s.slice(0, eq).trim()] = s.slice(eq + 1)
    }
    return out
  })

const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
}

function schemaFor(s: Setting): z.ZodType<unknown, unknown> {
  switch (s.kind) {
    case 'string':
    case 'path':
      return text(() => 'expected a value, got an empty string')
    case 'secret':
      return text(() => 'expected a value, got an empty string', true)
    case 'url':
      return custom((u) => {
        try {
          const url = new URL(u)
          return url.protocol === 'http:' || url.protocol === 'https:' ? u : undefined
        } catch {
          return undefined
        }
      }, 'expected an http(s) URL such as http://localhost:8081')
    case 'jobId':
      return custom(
        (id) => (/^[0-9a-f]{32}$/.test(id) ? id : undefined),
        'expected a Flink job id (32 lowercase hex characters)',
      )
    case 'boolean':
      return z.unknown().transform((v, ctx) => {
        if (typeof v === 'boolean') return v
        const b = typeof v === 'string' ? BOOLEANS[v.trim().toLowerCase()] : undefined
        if (b === undefined) {
          ctx.addIssue({ code: 'custom', message: `expected true or false, got ${show(v)}` })
          return z.NEVER
        }
        return b
      })
    case 'positiveInt':
      return custom(
        (n) => (/^\d+$/.test(n) && Number(n) >= 1 ? Number(n) : undefined),
        'expected a positive whole number',
      )
    case 'count':
      return custom((n) => (/^\d+$/.test(n) ? Number(n) : undefined), 'expected a whole number (0 or more)')
    case 'duration':
      return custom((d) => {
        const ms = parseDuration(d)
        return ms !== undefined && ms > 0 ? ms : undefined
      }, 'expected a duration such as 500ms, 30s, 5m or 1h')
    case 'durationOrZero':
      return custom(parseDuration, 'expected a duration such as 0s, 500ms, 30s or 5m')
    case 'enum':
      return custom((v) => (s.values!.includes(v) ? v : undefined), `expected one of ${s.values!.join(', ')}`)
    case 'list':
      return stringList('a list of strings')
    case 'jsonList':
      return jsonList
    case 'map':
      return keyValues(false)
    case 'secretMap':
      return keyValues(true)
  }
}

/**
 * A list from the environment is a JSON array, or one value per line (a space-separated string would be
 * ambiguous).
 */
function envValue(s: Setting, raw: string): unknown {
  if (s.kind === 'list') {
    try {
      return JSON.parse(raw)
    } catch {
      return raw.split(/\r?\n/).filter((line) => line.trim() !== '')
    }
  }
  return raw
}

// ---------------------------------------------------------------------------------------------------------
// Collecting values from the three sources

export interface Sources {
  /** Values parsed from the command line by node:util parseArgs. */
  flags: Record<string, unknown>
  env: Record<string, string | undefined>
  /** The config file's content and its name for messages, if one was given. */
  file?: ConfigFile
}

export interface ConfigFile {
  name: string
  values: Record<string, unknown>
  /** Line of each top-level key, when known. */
  lines?: Record<string, number>
}

/** `deploy.yaml:7: parallelism`: where a setting of the file is, as a message names it. */
export const fileOrigin = (file: ConfigFile, key: string) =>
  `${file.name}${file.lines?.[key] ? `:${file.lines[key]}` : ''}: ${key}`

export interface Resolved {
  values: Partial<Record<SettingKey, unknown>>
  /** Where each value came from, as the user wrote it: `--parallelism`, `FLINK_DEPLOY_PARALLELISM`, `deploy.yaml:7: parallelism`. */
  origin: Partial<Record<SettingKey, string>>
  /** Secret values, to keep out of every output. */
  secrets: string[]
}

export function resolveSettings(keys: readonly SettingKey[], sources: Sources, command: string): Resolved {
  const resolved: Resolved = { values: {}, origin: {}, secrets: [] }
  for (const key of keys) {
    const s: Setting = SETTINGS[key]
    const candidates: [unknown, string][] = []
    if (sources.flags[s.flag] !== undefined) candidates.push([sources.flags[s.flag], `--${s.flag}`])
    if (!s.flagOnly) {
      const env = sources.env[envName(s)]
      if (env !== undefined && env !== '') candidates.push([envValue(s, env), envName(s)])
      const file = sources.file
      if (file && fileKey(s) in file.values)
        candidates.push([file.values[fileKey(s)], fileOrigin(file, fileKey(s))])
    }
    // Key/value maps merge (file < env < flags, key by key); everything else is taken from the first source.
    const merging = s.kind === 'map' || s.kind === 'secretMap'
    const chosen = merging ? candidates.reverse() : candidates.slice(0, 1)
    for (const [raw, origin] of chosen) {
      if (s.kind === 'secret' && typeof raw === 'string') resolved.secrets.push(raw)
      if (s.kind === 'secretMap') collectMapSecrets(raw, resolved.secrets)
      const parsed = schemaFor(s).safeParse(raw)
      if (!parsed.success) throw new UsageError(`${origin}: ${parsed.error.issues[0]!.message}`, command)
      if (merging) {
        resolved.values[key] = { ...(resolved.values[key] as object | undefined), ...(parsed.data as object) }
        resolved.origin[key] ??= origin
        if (origin.startsWith('--')) resolved.origin[key] = origin
      } else {
        resolved.values[key] = parsed.data
        resolved.origin[key] = origin
      }
    }
  }
  return resolved
}

function collectMapSecrets(raw: unknown, into: string[]): void {
  const values =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw)
      ? Object.values(raw).map(String)
      : (typeof raw === 'string' ? raw.split(/\r?\n/) : Array.isArray(raw) ? raw.map(String) : []).map((e) =>
          e.slice(e.indexOf('=') + 1),
        )
  for (const v of values) if (v.length >= 3) into.push(v)
}

/** Known keys of a config file, for a clear message about a typo. */
export function checkFileKeys(file: ConfigFile, command?: string): void {
  const known = new Set(
    Object.values(SETTINGS)
      .filter((s: Setting) => !s.flagOnly && s.key !== 'config')
      .map((s) => fileKey(s)),
  )
  for (const key of Object.keys(file.values)) {
    if (!known.has(key)) {
      const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
      const near = [...known].find((k) => k === kebab || editDistance(k, key) <= 2)
      const line = file.lines?.[key]
      throw new UsageError(
        `${file.name}${line ? `:${line}` : ''}: unknown setting "${key}"${near ? `; did you mean "${near}"?` : ''} (keys are the flag names without --)`,
        command,
      )
    }
  }
}

/** node:util parseArgs options for a set of settings. */
export function parseArgsOptions(keys: readonly SettingKey[]) {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  }
  for (const key of keys) {
    const s: Setting = SETTINGS[key]
    options[s.flag] = {
      type: s.kind === 'boolean' ? 'boolean' : 'string',
      ...(isMultiple(s) ? { multiple: true } : {}),
      ...(s.short ? { short: s.short } : {}),
    }
  }
  return options
}

/**
 * `--arg --fail-after` is a program argument that starts with a dash; parseArgs would call it ambiguous.
 * A flag that takes a value takes the next word, whatever it is (like getopt).
 */
export function joinFlagValues(argv: readonly string[], keys: readonly SettingKey[]): string[] {
  const takesValue = new Set(
    keys
      .map((k) => SETTINGS[k] as Setting)
      .filter((s) => s.kind !== 'boolean')
      .map((s) => `--${s.flag}`),
  )
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (takesValue.has(word) && i + 1 < argv.length) {
      out.push(`${word}=${argv[i + 1]}`)
      i++
    } else out.push(word)
  }
  return out
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    previous = current
  }
  return previous[b.length]!
}
