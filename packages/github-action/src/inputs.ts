/**
 * The Action's inputs: read as the runner passes them (`INPUT_<NAME>` with hyphens kept), secrets masked
 * first, then validated with zod before anything is sent. Every message names the input and what was
 * expected, and never echoes the value of a secret input.
 */
import { existsSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import {
  actionInputOf,
  type ClientOptions,
  type NotifyOptions,
  SENSITIVE_CONFIG_KEY,
  type SettingDeclaration,
  UPGRADE_SETTINGS,
  type UpgradeOptions,
  upgradeOptionsFrom,
} from '@flink-deploy/core'
import * as z from 'zod'

export const ACTIONS = ['deploy', 'promote', 'reject', 'resume'] as const
export type ActionKind = (typeof ACTIONS)[number]

/** The target cluster's connection inputs, besides to-flink-url: each needs it. */
const TARGET_INPUTS = [
  'to-token',
  'to-username',
  'to-password',
  'to-headers',
  'to-ca-cert',
  'to-client-cert',
  'to-client-key',
  'to-insecure',
] as const

type Declared = (typeof UPGRADE_SETTINGS)[number]
/** The Action input of each declared setting: its name, or the `action` name given (durations in ms). */
type DeclaredInput =
  | Extract<Declared, { action: string }>['action']
  | Exclude<Declared, { action: unknown }>['name']

/** The inputs of core's declared upgrade settings (action.yml's generated block), with their declarations. */
export const DECLARED_INPUTS = (UPGRADE_SETTINGS as readonly SettingDeclaration[]).flatMap((d) => {
  const name = actionInputOf(d)
  return name ? [[name as DeclaredInput, d] as const] : []
})

/** The Action's own inputs: what to do, the job, its jars and arguments, the connections, the run's state. */
const OWN_INPUTS = [
  'action',
  'flink-url',
  'jar',
  'job-name',
  'job-id',
  'args',
  'rollback-jar',
  'rollback-args',
  'token',
  'username',
  'password',
  'headers',
  'ca-cert',
  'client-cert',
  'client-key',
  'insecure',
  'unreachable-timeout-ms',
  'to-flink-url',
  ...TARGET_INPUTS,
  'state-file',
  'state-store',
  'manifest',
  'concurrency',
  'continue-on-failure',
  'lock-lease-ms',
  'lock-owner',
  'reject-reason',
] as const

export type InputName = (typeof OWN_INPUTS)[number] | DeclaredInput

/** Every input of action.yml. */
export const INPUT_NAMES: readonly InputName[] = [...OWN_INPUTS, ...DECLARED_INPUTS.map(([name]) => name)]

/** Reads one input as the runner passed it; empty means not given. */
export type InputReader = (name: InputName) => string

/** What the run needs, validated. */
export interface ActionInputs {
  action: ActionKind
  flinkUrl: string
  client: ClientOptions
  /** The cluster green moves to (to-flink-url and its connection inputs), when the job moves. */
  targetCluster?: ClientOptions
  /** Only for action deploy. */
  upgrade?: UpgradeOptions
  /**
   * promote, reject, resume, and a manifest's jobs: the webhooks to tell when a run ends (one job's deploy
   * has them in `upgrade`).
   */
  notify?: NotifyOptions
  /** Local state file, when no state store is given. */
  stateFile?: string
  /** Shared store of run state, lock and release records (`s3://bucket/prefix`), used with `target` as the job. */
  stateStore?: string
  leaseMs?: number
  /** Who holds the lock, as other runs are told: the workflow run and job. */
  lockOwner: string
  /** A manifest of jobs (absolute path) applied instead of one job's upgrade; `concurrency` jobs at once. */
  manifest?: string
  concurrency?: number
  /** With a manifest: run the later waves even after a job failed. */
  continueOnFailure?: boolean
  /** The job as the user named it, for log lines. */
  target: string
  rejectReason?: string
}

export class InputError extends Error {
  readonly input: string
  constructor(input: string, problem: string) {
    super(`Input ${input}: ${problem}`)
    this.name = 'InputError'
    this.input = input
  }
}

// ---------------------------------------------------------------------------------------------------------
// Masking

/** Shorter PEM lines (the tail of a base64 block, `==`) would mask ordinary text and protect nothing. */
const MIN_PEM_LINE = 8

/**
 * Every form of every secret among the raw inputs, to pass to `setSecret` before anything is logged:
 * token, password, the basic-auth base64 form, header values (and the credential after an auth scheme),
 * each line of PEM certificates and keys, sensitive flink-config values, and a password in the URL.
 */
export function secretsOf(read: InputReader): string[] {
  const out = new Set<string>()
  const add = (value: string | undefined) => {
    if (value) out.add(value)
  }
  for (const p of CLUSTER_PREFIXES) {
    for (const secret of connectionSecretsOf(read, p)) add(secret)
  }
  add(read('notify-secret').trim())
  // A webhook's URL is its credential (Slack's path): masked like a token.
  for (const url of lines(read('notify'))) add(url)
  for (const line of lines(read('flink-config'))) {
    const eq = line.indexOf('=')
    if (eq > 0 && SENSITIVE_CONFIG_KEY.test(line.slice(0, eq))) add(line.slice(eq + 1).trim())
  }
  return [...out]
}

/** The two clusters' connection inputs: blue's (`token`...) and the target's of a move (`to-token`...). */
const CLUSTER_PREFIXES = ['', 'to-'] as const
type ClusterPrefix = (typeof CLUSTER_PREFIXES)[number]

function connectionSecretsOf(read: InputReader, p: ClusterPrefix): string[] {
  const out: string[] = []
  const add = (value: string | undefined) => {
    if (value) out.push(value)
  }
  const token = read(`${p}token`)
  add(token)
  if (token) add(Buffer.from(token).toString('base64'))
  const username = read(`${p}username`)
  const password = read(`${p}password`)
  add(password)
  if (password) add(Buffer.from(`${username}:${password}`).toString('base64'))
  for (const line of lines(read(`${p}headers`))) {
    const colon = line.indexOf(':')
    if (colon < 0) {
      add(line) // not a header line: better masked than echoed
      continue
    }
    const value = line.slice(colon + 1).trim()
    add(value)
    const scheme = /^\S+\s+(\S.*)$/.exec(value)
    add(scheme?.[1])
  }
  for (const name of ['ca-cert', 'client-cert', 'client-key'] as const) {
    const pem = read(`${p}${name}`)
    for (const line of pem.split(/\r?\n/)) {
      const trimmed = line.trim()
      if (trimmed.length >= MIN_PEM_LINE && !trimmed.startsWith('-----')) add(trimmed)
    }
  }
  const url = read(`${p}flink-url`)
  try {
    const parsed = new URL(url)
    add(parsed.password && decodeURIComponent(parsed.password))
    add(parsed.password)
  } catch {
    // not a URL: reported by validation, without the value if it looks like it holds credentials
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Validation

const lines = (value: string): string[] =>
  value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)

const quote = (value: unknown) => JSON.stringify(String(value))

const optionalText = z.string().optional()

const wholeNumber = (min: 0 | 1) =>
  z
    .string()
    .regex(min === 0 ? /^\d+$/ : /^0*[1-9]\d*$/, {
      error: (issue) =>
        `expected ${min === 0 ? 'a whole number (0 or more)' : 'a positive whole number'}, got ${quote(issue.input)}`,
    })
    .transform(Number)
    .refine(Number.isSafeInteger, { error: 'the number is too large' })
    .optional()

/** YAML 1.2 core schema booleans, as `core.getBooleanInput` accepts them. */
const boolean = z
  .string()
  .regex(/^(true|True|TRUE|false|False|FALSE)$/, {
    error: (issue) => `expected true or false, got ${quote(issue.input)}`,
  })
  .transform((s) => s.toLowerCase() === 'true')
  .optional()

const oneOf = <const T extends readonly [string, ...string[]]>(values: T, caseInsensitive = false) =>
  z
    .string()
    .transform((s) => (caseInsensitive ? s.toUpperCase() : s))
    .pipe(
      z.enum(values, {
        error: (issue) => `expected one of ${values.join(', ')}, got ${quote(issue.input)}`,
      }),
    )
    .optional()

const multiline = z.string().transform(lines).optional()

const flinkUrl = z
  .string({ error: 'required; expected the JobManager REST URL, e.g. https://flink.example.com:8081' })
  .transform((raw, ctx) => {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `expected an http(s) URL such as https://flink.example.com:8081, got ${quote(raw)}`,
      })
      return z.NEVER
    }
    if (url.username || url.password) {
      ctx.addIssue({
        code: 'custom',
        message: 'credentials in the URL are not accepted; use the token or username and password inputs',
      })
      return z.NEVER
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `expected an http or https URL, got ${quote(raw)}` })
      return z.NEVER
    }
    return raw
  })

const jobId = z
  .string()
  .regex(/^[0-9a-f]{32}$/, {
    error: (issue) => `expected a Flink job id (32 lowercase hex characters), got ${quote(issue.input)}`,
  })
  .optional()

const keyValues = z
  .string()
  .transform((raw, ctx) => {
    const out: Record<string, string> = {}
    for (const [i, line] of lines(raw).entries()) {
      const eq = line.indexOf('=')
      if (eq <= 0) {
        ctx.addIssue({ code: 'custom', message: `line ${i + 1} is not key=value` })
        return z.NEVER
      }
      out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
    }
    return out
  })
  .optional()

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const headers = z
  .string()
  .transform((raw, ctx) => {
    const out: Record<string, string> = {}
    for (const [i, line] of lines(raw).entries()) {
      const colon = line.indexOf(':')
      const name = colon > 0 ? line.slice(0, colon).trim() : ''
      if (!HEADER_NAME.test(name)) {
        // The line is not echoed: it may hold a credential.
        ctx.addIssue({ code: 'custom', message: `line ${i + 1} is not "Name: value"` })
        return z.NEVER
      }
      out[name] = line.slice(colon + 1).trim()
    }
    return out
  })
  .optional()

const pem = z
  .string()
  .refine((s) => /-----BEGIN [A-Z0-9 ]+-----/.test(s), {
    error: 'expected PEM content (-----BEGIN ...-----), e.g. from a secret; a file path is not read',
  })
  .optional()

/** How the Action reads a declared setting: its durations are whole milliseconds. */
function inputSchema(d: SettingDeclaration) {
  switch (d.kind) {
    case 'string':
      return optionalText
    case 'boolean':
      return boolean
    case 'enum':
      // Flink's own upper-case values (NO_CLAIM) are taken in any case.
      return oneOf(d.values!, d.values![0] === d.values![0].toUpperCase())
    case 'positiveInt':
    case 'duration':
      return wholeNumber(1)
    case 'count':
    case 'durationOrZero':
      return wholeNumber(0)
    case 'map':
      return keyValues
    case 'list':
      return multiline
    case 'secret':
      return optionalText
  }
}

const declaredShape = () =>
  Object.fromEntries(DECLARED_INPUTS.map(([name, d]) => [name, inputSchema(d)])) as unknown as Record<
    DeclaredInput,
    z.ZodType<unknown, string | undefined>
  >

/** The inputs as zod sees them: each key is the input's own name, so an issue's path names the input. */
const InputsSchema = z
  .object({
    action: oneOf(ACTIONS).default('deploy'),
    'flink-url': flinkUrl,
    jar: optionalText,
    'job-name': optionalText,
    'job-id': jobId,
    args: multiline,
    'rollback-jar': optionalText,
    'rollback-args': multiline,
    token: optionalText,
    username: optionalText,
    password: optionalText,
    headers,
    'ca-cert': pem,
    'client-cert': pem,
    'client-key': pem,
    insecure: boolean,
    'unreachable-timeout-ms': wholeNumber(0),
    'to-flink-url': flinkUrl.optional(),
    'to-token': optionalText,
    'to-username': optionalText,
    'to-password': optionalText,
    'to-headers': headers,
    'to-ca-cert': pem,
    'to-client-cert': pem,
    'to-client-key': pem,
    'to-insecure': boolean,
    'state-file': optionalText,
    'state-store': z
      .string()
      .regex(/^s3:\/\/[^/?#@]+(\/[^?#]*)?$/, {
        error: (issue) =>
          `expected s3://<bucket>/<prefix>, e.g. s3://deploy-state/flink, got ${quote(issue.input)}`,
      })
      .optional(),
    'lock-lease-ms': wholeNumber(1),
    'lock-owner': optionalText,
    manifest: optionalText,
    concurrency: wholeNumber(1),
    'continue-on-failure': boolean,
    'reject-reason': optionalText,
    ...declaredShape(),
  })
  .superRefine((i, ctx) => {
    const problem = (input: InputName, message: string) =>
      ctx.addIssue({ code: 'custom', path: [input], message })
    const deploy = i.action === 'deploy'
    if (i.manifest !== undefined) {
      if (!deploy) problem('manifest', `goes with action deploy, not ${i.action}`)
      const oneJob = (['job-name', 'job-id', 'jar', 'args', 'state-file'] as const).find(
        (n) => i[n] !== undefined,
      )
      if (oneJob) problem(oneJob, 'give the jobs in the manifest, not as inputs, when manifest is given')
      if (i['to-flink-url'] !== undefined)
        problem('to-flink-url', 'moves one job; it does not go with manifest')
      return
    }
    if (i['job-name'] !== undefined && i['job-id'] !== undefined)
      problem('job-name', 'give job-name or job-id, not both')
    else if (
      i['job-name'] === undefined &&
      i['job-id'] === undefined &&
      (deploy || !i['state-file'] || i['state-store'])
    )
      problem(
        'job-name',
        deploy
          ? 'required: give job-name (or job-id) to choose the job to deploy'
          : i['state-store']
            ? `required for action ${i.action} with state-store: give job-name (or job-id) to choose the job in the store`
            : `required for action ${i.action} without state-file: give job-name (or job-id) or state-file to find the run`,
      )
    if (i['state-file'] !== undefined && i['state-store'] !== undefined)
      problem('state-file', 'give state-file or state-store, not both')
    if (deploy && i.jar === undefined)
      problem('jar', 'required for action deploy; expected the path of the release jar')
    for (const p of CLUSTER_PREFIXES) checkConnection(i, p, problem)
    const targetInput = TARGET_INPUTS.find((n) => i[n] !== undefined && i[n] !== false)
    if (targetInput && i['to-flink-url'] === undefined)
      problem(targetInput, 'needs to-flink-url, the cluster the job moves to')
    if (i.stateless && i['initial-savepoint'] !== undefined)
      problem('stateless', 'stateless and initial-savepoint exclude each other')
    if (deploy && i['manual-promotion'] && i.strategy !== 'blue-green')
      problem(
        'manual-promotion',
        'needs strategy blue-green (stop-and-restart has no moment where both jobs run)',
      )
    // The URL is not echoed: a webhook's path is often its credential.
    for (const [n, url] of ((i.notify as string[] | undefined) ?? []).entries())
      if (!/^https?:$/.test(URL.parse(url)?.protocol ?? ''))
        problem('notify', `line ${n + 1} is not an http(s) webhook URL`)
    if (i['rollback-jar'] === undefined) {
      const given = (name: InputName) => {
        const v = i[name]
        return v !== undefined && !(Array.isArray(v) && v.length === 0)
      }
      const rollbackInputs = DECLARED_INPUTS.filter(([, d]) => d.option.startsWith('rollback.')).map(
        ([name]) => name,
      )
      for (const name of ['rollback-args' as const, ...rollbackInputs])
        if (given(name)) problem(name, 'needs rollback-jar')
    }
  })

type ParsedInputs = z.output<typeof InputsSchema>

/** One cluster's connection inputs go together as the client needs them. */
function checkConnection(
  i: ParsedInputs,
  p: ClusterPrefix,
  problem: (input: InputName, message: string) => void,
): void {
  const has = (name: string) => {
    const v = i[`${p}${name}` as keyof ParsedInputs]
    return v !== undefined && v !== false
  }
  const input = (name: string) => `${p}${name}` as InputName
  if (has('token') && (has('username') || has('password')))
    problem(input('token'), `give ${p}token or ${p}username and ${p}password, not both`)
  if (has('password') && !has('username')) problem(input('username'), `required with ${p}password`)
  if (has('username') && !has('password')) problem(input('password'), `required with ${p}username`)
  if ((i[input('username') as keyof ParsedInputs] as string | undefined)?.includes(':'))
    problem(input('username'), 'must not contain ":"')
  if (has('client-cert') !== has('client-key'))
    problem(
      input(has('client-cert') ? 'client-key' : 'client-cert'),
      `${p}client-cert and ${p}client-key go together`,
    )
  const tlsInput = ['ca-cert', 'client-cert', 'client-key', 'insecure'].find(has)
  const url = i[input('flink-url') as keyof ParsedInputs] as string | undefined
  if (tlsInput && url !== undefined && !url.startsWith('https:'))
    problem(input(tlsInput), `TLS settings need an https ${p}flink-url`)
}

/**
 * Validates the raw inputs; throws an {@link InputError} naming the first wrong input. `cwd` resolves
 * relative paths (the runner starts actions in the workspace), `workspace` holds the default state file.
 */
export function parseInputs(
  read: InputReader,
  paths: { cwd: string; workspace: string; env?: NodeJS.ProcessEnv } = {
    cwd: process.cwd(),
    workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
  },
): ActionInputs {
  const raw: Record<string, string | undefined> = {}
  for (const name of INPUT_NAMES) {
    const value = read(name)
    raw[name] = value.trim() === '' ? undefined : value.trim()
  }
  const parsed = InputsSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new InputError(String(issue.path[0] ?? 'inputs'), issue.message)
  }
  const i = parsed.data
  const path = (p: string) => (isAbsolute(p) ? p : resolve(paths.cwd, p))
  const jar = i.jar === undefined ? undefined : existingFile('jar', path(i.jar))
  const rollbackJar =
    i['rollback-jar'] === undefined ? undefined : existingFile('rollback-jar', path(i['rollback-jar']))
  const target = i.manifest
    ? `the jobs of ${i.manifest}`
    : (i['job-name'] ?? i['job-id'] ?? '(from the state file)')
  const stateStore = i['state-store']
  const stateFile =
    stateStore || i.manifest
      ? undefined
      : i['state-file']
        ? path(i['state-file'])
        : join(paths.workspace, '.flink-deploy', `${safeFileName(target)}.json`)

  return {
    action: i.action,
    flinkUrl: i['flink-url'],
    client: clientOptions(i, ''),
    ...(i['to-flink-url'] ? { targetCluster: clientOptions(i, 'to-') } : {}),
    upgrade: i.action === 'deploy' && !i.manifest ? upgradeOptions(i, jar!, rollbackJar) : undefined,
    ...((i.action !== 'deploy' || i.manifest) && (i.notify as string[] | undefined)?.length
      ? { notify: notifyOptions(i) }
      : {}),
    ...(i.manifest ? { manifest: path(i.manifest) } : {}),
    ...(i.concurrency ? { concurrency: i.concurrency } : {}),
    ...(i['continue-on-failure'] ? { continueOnFailure: true } : {}),
    ...(stateFile ? { stateFile } : {}),
    ...(stateStore ? { stateStore } : {}),
    ...(i['lock-lease-ms'] ? { leaseMs: i['lock-lease-ms'] } : {}),
    lockOwner: i['lock-owner'] ?? workflowOwner(paths.env ?? process.env),
    target,
    rejectReason: i['reject-reason'],
  }
}

/** "GitHub Actions owner/repo run 123 (attempt 1), job deploy": which run to look at, or to cancel. */
function workflowOwner(env: NodeJS.ProcessEnv): string {
  if (!env.GITHUB_RUN_ID) return 'GitHub Actions'
  const attempt = env.GITHUB_RUN_ATTEMPT ? ` (attempt ${env.GITHUB_RUN_ATTEMPT})` : ''
  return `GitHub Actions ${env.GITHUB_REPOSITORY ?? ''} run ${env.GITHUB_RUN_ID}${attempt}, job ${env.GITHUB_JOB ?? '?'}`
}

function existingFile(input: InputName, file: string): string {
  if (!existsSync(file)) throw new InputError(input, `file not found: ${file}`)
  if (!statSync(file).isFile()) throw new InputError(input, `not a file: ${file}`)
  return file
}

/** A file name for a job name: readable, no path separators. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_')
}

function clientOptions(i: ParsedInputs, p: ClusterPrefix): ClientOptions {
  const get = <T>(name: string) => i[`${p}${name}` as keyof ParsedInputs] as T | undefined
  const [ca, cert, key] = ['ca-cert', 'client-cert', 'client-key'].map((n) => get<string>(n))
  const insecure = get<boolean>('insecure')
  const token = get<string>('token')
  const username = get<string>('username')
  return {
    baseUrl: get<string>('flink-url')!,
    auth: token
      ? { type: 'bearer', token }
      : username !== undefined
        ? { type: 'basic', username, password: get<string>('password') ?? '' }
        : undefined,
    headers: get<Record<string, string>>('headers'),
    tls: ca || cert || insecure ? { ca, cert, key, insecure: insecure || undefined } : undefined,
    // one outage budget for the run: it holds for the target of a move too
    timeouts:
      i['unreachable-timeout-ms'] !== undefined ? { unreachableMs: i['unreachable-timeout-ms'] } : undefined,
  }
}

function upgradeOptions(i: ParsedInputs, jar: string, rollbackJar: string | undefined): UpgradeOptions {
  return upgradeOptionsFrom(
    {
      ...(i['job-name'] !== undefined ? { jobName: i['job-name'] } : { jobId: i['job-id'] }),
      jar,
      args: i.args ?? [],
      ...(rollbackJar ? { rollback: { jar: rollbackJar, args: i['rollback-args'] ?? [] } } : {}),
    },
    (d) => i[actionInputOf(d) as DeclaredInput],
  )
}

function notifyOptions(i: ParsedInputs): NotifyOptions {
  return {
    urls: i.notify as string[],
    ...(i['notify-secret'] ? { secret: i['notify-secret'] as string } : {}),
    ...(i['notify-steps'] ? { steps: true } : {}),
  }
}
