/**
 * The Flink client from the connection settings, and the translation of core's InvalidArgumentError
 * argument names (`baseUrl`, `verify.timeoutMs`...) back to the settings the user wrote.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  type ClientOptions,
  createFlinkClient,
  type FlinkClient,
  isFlinkDeployError,
  type SettingDeclaration,
  UPGRADE_SETTINGS,
} from '@flink-deploy/core'
import {
  CONNECTION_KEYS,
  camel,
  envName,
  type Resolved,
  SETTINGS,
  type SettingKey,
  TARGET_KEYS,
  UsageError,
} from './settings.ts'

/** Where a setting came from, or its flag when it was not given (for messages). */
export function nameOf(r: Resolved, key: SettingKey): string {
  return r.origin[key] ?? `--${SETTINGS[key].flag}`
}

/** Which settings hold a cluster's connection: Flink's own (blue's) or the target's of a move. */
type ConnectionKeys = Record<(typeof CONNECTION_KEYS)[number], SettingKey>
const BLUE = Object.fromEntries(CONNECTION_KEYS.map((k) => [k, k])) as ConnectionKeys
const TARGET = Object.fromEntries(CONNECTION_KEYS.map((k, i) => [k, TARGET_KEYS[i]!])) as ConnectionKeys

export function connect(
  r: Resolved,
  cwd: string,
  command: string,
  warn: (message: string) => void,
): FlinkClient {
  if (r.values.flinkUrl === undefined) {
    throw new UsageError(
      '--flink-url is required (or FLINK_DEPLOY_FLINK_URL, or "flink-url" in the config file)',
      command,
    )
  }
  return connectWith(BLUE, r, cwd, command, warn)
}

/** The target cluster of a move, when `--to-flink-url` is given; its other settings need it. */
export function connectTarget(
  r: Resolved,
  cwd: string,
  command: string,
  warn: (message: string) => void,
): FlinkClient | undefined {
  if (r.values.toFlinkUrl === undefined) {
    const given = TARGET_KEYS.find((k) => r.values[k] !== undefined && r.values[k] !== false)
    if (given) throw new UsageError(`${nameOf(r, given)}: needs --to-flink-url, the target cluster`, command)
    return undefined
  }
  return connectWith(TARGET, r, cwd, command, (message) => warn(`target: ${message}`))
}

function connectWith(
  keys: ConnectionKeys,
  r: Resolved,
  cwd: string,
  command: string,
  warn: (message: string) => void,
): FlinkClient {
  const v = Object.fromEntries(CONNECTION_KEYS.map((k) => [k, r.values[keys[k]]])) as Record<string, unknown>
  const name = (k: (typeof CONNECTION_KEYS)[number]) => nameOf(r, keys[k])
  if (v.token !== undefined && (v.username !== undefined || v.password !== undefined)) {
    throw new UsageError(`${name('token')}: give a token or a username and password, not both`, command)
  }
  if ((v.username === undefined) !== (v.password === undefined)) {
    const [given, missing] =
      v.username === undefined ? (['password', 'username'] as const) : (['username', 'password'] as const)
    // A password is best given by environment: say so where it is missing.
    const hint = missing === 'password' ? ` (or ${envName(SETTINGS[keys.password])})` : ''
    throw new UsageError(`${name(given)}: basic auth needs ${name(missing)}${hint} too`, command)
  }
  if ((v.clientCert === undefined) !== (v.clientKey === undefined)) {
    const given = v.clientCert === undefined ? 'clientKey' : 'clientCert'
    throw new UsageError(
      `${name(given)}: give ${name('clientCert')} and ${name('clientKey')} together`,
      command,
    )
  }
  const url = v.flinkUrl as string
  const tlsGiven = (['caCert', 'clientCert', 'insecure'] as const).find(
    (k) => v[k] !== undefined && v[k] !== false,
  )
  if (tlsGiven && !url.startsWith('https:')) {
    throw new UsageError(`${name(tlsGiven)}: TLS settings need an https:// Flink URL, got ${url}`, command)
  }
  const pem = (key: 'caCert' | 'clientCert' | 'clientKey') => {
    if (v[key] === undefined) return undefined
    const path = resolve(cwd, v[key] as string)
    try {
      return readFileSync(path)
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error)
      throw new UsageError(`${name(key)}: cannot read "${v[key]}" (${reason})`, command)
    }
  }
  const ca = pem('caCert')
  const cert = pem('clientCert')
  const key = pem('clientKey')
  const options: ClientOptions = {
    baseUrl: url,
    auth:
      v.token !== undefined
        ? { type: 'bearer', token: v.token as string }
        : v.username !== undefined
          ? { type: 'basic', username: v.username as string, password: v.password as string }
          : undefined,
    headers: v.header as Record<string, string> | undefined,
    tls: ca || cert || v.insecure ? { ca, cert, key, ...(v.insecure ? { insecure: true } : {}) } : undefined,
    timeouts:
      r.values.unreachableTimeout !== undefined
        ? { unreachableMs: r.values.unreachableTimeout as number }
        : undefined,
    // The client's warnings (TLS verification off) go to stderr through the CLI's redacting stream.
    onWarning: warn,
  }
  try {
    return createFlinkClient(options)
  } catch (error) {
    throw asUsageError(error, r, command, keys) ?? error
  }
}

/** Core argument names (InvalidArgumentError.argument, zod paths) → settings; declared options first. */
const CORE_ARGUMENTS: [string, SettingKey][] = [
  ...(UPGRADE_SETTINGS as readonly SettingDeclaration[]).map((d): [string, SettingKey] => [
    d.option,
    camel(d.name) as SettingKey,
  ]),
  ['baseUrl', 'flinkUrl'],
  ['auth.token', 'token'],
  ['auth.username', 'username'],
  ['auth.password', 'password'],
  ['auth', 'token'],
  ['headers', 'header'],
  ['tls.ca', 'caCert'],
  ['tls.cert', 'clientCert'],
  ['tls.key', 'clientKey'],
  ['tls', 'caCert'],
  ['timeouts.unreachableMs', 'unreachableTimeout'],
  ['jobName', 'jobName'],
  ['stateStore', 'stateStore'],
  ['jobId', 'jobId'],
  ['jobid', 'jobId'],
  ['jar path', 'jar'],
  ['jar', 'jar'],
  ['fileName', 'jar'],
  ['args', 'args'],
  ['rollback.jar', 'rollbackJar'],
  ['rollback.args', 'rollbackArgs'],
  ['rollback', 'rollbackJar'],
  ['stateFile', 'stateFile'],
  ['state-file', 'stateFile'],
  ['target', 'toFlinkUrl'],
]

/** The setting a core argument name stands for, matching the longest prefix (`headers.X-Api` → header). */
export function settingForArgument(argument: string): SettingKey | undefined {
  for (const [name, key] of CORE_ARGUMENTS) {
    if (argument === name || argument.startsWith(`${name}.`)) return key
  }
  return undefined
}

/**
 * Rewrites core's `Invalid <argument>: <problem>` as `<setting as written>: <problem>`; `keys` names the
 * cluster whose client options were refused (the target's for `--to-*`).
 */
export function asUsageError(
  error: unknown,
  r: Resolved,
  command: string,
  keys: ConnectionKeys = BLUE,
): UsageError | undefined {
  if (!isFlinkDeployError(error) || error.code !== 'INVALID_ARGUMENT') return undefined
  const argument = (error as unknown as { argument: string }).argument
  const problem = error.message.replace(/^Invalid [^:]+: /, '')
  const found = settingForArgument(argument)
  const key = found && found in keys ? keys[found as keyof ConnectionKeys] : found
  // Program arguments may come from --args-json.
  const name =
    key === 'args' && r.origin.argsJson && !r.origin.args
      ? r.origin.argsJson
      : key
        ? nameOf(r, key)
        : argument
  return new UsageError(`${name}: ${problem}`, command)
}
