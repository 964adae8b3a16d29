/**
 * main(argv, io): parses the command line (node:util parseArgs), merges flags, environment and config file,
 * runs the command and turns every way it can end into an exit code. No output escapes the redactor.
 */
import { parseArgs } from 'node:util'
import { isFlinkDeployError, loadS3Sdk, registerSecret } from '@flink-deploy/core'
import { CommandFailed } from './commands/command-failed.ts'
import { COMMANDS, type Command, settingsOf } from './commands.ts'
import { readConfigFile } from './config-file.ts'
import type { CommandContext } from './context.ts'
import { EXIT } from './exit-codes.ts'
import { checkForeignSettings } from './foreign-settings.ts'
import { commandHelp, groupHelp, mainHelp, version } from './help.ts'
import { type Io, processIo, redacting } from './io.ts'
import {
  editDistance,
  joinFlagValues,
  parseArgsOptions,
  resolveSettings,
  SETTINGS,
  UsageError,
} from './settings.ts'

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const stdout = redacting(io.stdout)
  const stderr = redacting(io.stderr)
  // Secrets are known before anything could print them, even an error about the flags themselves.
  for (const secret of secretsInArgv(argv, io.env)) registerSecret(secret)
  let command: Command | undefined
  let json = argv.includes('--json') || /^(1|true|yes|on)$/i.test(io.env.FLINK_DEPLOY_JSON ?? '')
  try {
    const first = argv[0]
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const about = first === 'help' && argv[1] ? findCommand(argv.slice(1)) : undefined
      stdout.write(about ? commandHelp(about.command) : mainHelp())
      return EXIT.ok
    }
    if (COMMAND_GROUPS.has(first) && (argv[1] === '--help' || argv[1] === '-h')) {
      stdout.write(groupHelp(first))
      return EXIT.ok
    }
    if (first === '--version' || first === '-V' || first === 'version') {
      stdout.write(argv.includes('--verbose') ? await versionDetails() : `${version()}\n`)
      return EXIT.ok
    }
    const parsed = parseCommandLine(argv)
    command = parsed.command
    const keys = settingsOf(command)
    if (parsed.values.help) {
      stdout.write(commandHelp(command))
      return EXIT.ok
    }
    const file = await configFile(parsed.values.config as string | undefined, io, command.name)
    const foreign = checkForeignSettings(command, io.env, file)
    const settings = resolveSettings(keys, { flags: parsed.values, env: io.env, file }, command.name)
    for (const secret of settings.secrets) registerSecret(secret)
    for (const warning of foreign) stderr.write(`warning: ${warning}\n`)
    json = (settings.values.json as boolean | undefined) ?? false
    const ctx: CommandContext = {
      command: command.name,
      settings,
      positionals: parsed.positionals,
      io,
      stdout,
      stderr,
    }
    return await command.run(ctx)
  } catch (error) {
    const { exitCode, code, message } = classify(error)
    if (json) stdout.write(`${JSON.stringify({ type: 'error', code, message, exitCode })}\n`)
    // A command line refused by parseCommandLine names its command in the error.
    const name = command?.name ?? (error instanceof UsageError ? error.command : undefined)
    const where = name ? `flink-deploy ${name}` : 'flink-deploy'
    stderr.write(`${where}: error: ${message}\n`)
    if (error instanceof UsageError) stderr.write(`Run \`${where} --help\` for usage.\n`)
    if (exitCode === EXIT.error && io.env.FLINK_DEPLOY_DEBUG && error instanceof Error && error.stack)
      stderr.write(`${error.stack}\n`)
    return exitCode
  }
}

/**
 * A command line as the CLI reads it: the command, its flags and positionals. Throws a UsageError for an
 * unknown command or flag, a flag without its value, or an extra argument; reads no environment or file.
 * Tests parse every command line the tool prints with it.
 */
export function parseCommandLine(argv: readonly string[]): {
  command: Command
  values: ReturnType<typeof parseArgs>['values']
  positionals: string[]
} {
  const { command, rest } = findCommand(argv)
  const keys = settingsOf(command)
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: joinFlagValues(rest, keys),
      options: parseArgsOptions(keys),
      allowPositionals: (command.positionals ?? 0) > 0,
      allowNegative: true,
      strict: true,
    })
  } catch (error) {
    throw new UsageError(
      parseArgsMessage(
        error,
        keys.map((k) => SETTINGS[k].flag),
      ),
      command.name,
    )
  }
  if (parsed.positionals.length > (command.positionals ?? 0) && !parsed.values.help)
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals.at(-1))}`, command.name)
  return { command, values: parsed.values, positionals: parsed.positionals }
}

/** What a bug report needs: versions, and whether the optional S3 support loads in this installation. */
async function versionDetails(): Promise<string> {
  const s3 = await loadS3Sdk().then(
    (sdk) => (typeof sdk.S3Client === 'function' ? 'available' : 'unavailable (no S3Client)'),
    (error: Error) => `unavailable (${error.message.split('\n')[0]})`,
  )
  return [
    `flink-deploy ${version()}`,
    `node ${process.version} (${process.platform} ${process.arch})`,
    `s3 state store: ${s3}`,
    '',
  ].join('\n')
}

/** Commands that are a group of subcommands: `jars list`, `savepoints prune`. */
const COMMAND_GROUPS = new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!))

function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } {
  const [first, second] = argv
  if (COMMAND_GROUPS.has(first!)) {
    const sub = second === undefined || second.startsWith('-') ? undefined : second
    const command = COMMANDS.find((c) => c.name === `${first} ${sub}`)
    const members = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => `\`${c.name}\``)
    if (!command)
      throw new UsageError(
        `${sub ? `unknown ${first} command "${sub}"; ` : ''}expected ${members.join(' or ')}`,
      )
    return { command, rest: argv.slice(2) }
  }
  const command = COMMANDS.find((c) => c.name === first)
  if (!command) {
    const names = COMMANDS.map((c) => c.name.split(' ')[0]!)
    const near = names.find((n) => editDistance(n, first!) <= 2)
    throw new UsageError(`unknown command "${first}"${near ? `; did you mean "${near}"?` : ''}`)
  }
  return { command, rest: argv.slice(1) }
}

function configFile(flag: string | undefined, io: Io, command: string) {
  const given = flag ?? (io.env.FLINK_DEPLOY_CONFIG || undefined)
  if (given === undefined) return undefined
  return readConfigFile(given, flag !== undefined ? '--config' : 'FLINK_DEPLOY_CONFIG', io.cwd, command)
}

/** Values of --token, --password and --header given on the command line or in the environment. */
function secretsInArgv(argv: readonly string[], env: Io['env']): string[] {
  const out: string[] = []
  // A webhook's URL is its credential as much as a token is (Slack's path).
  const secretFlags = ['--token', '--password', '--header', '--notify-secret', '--notify']
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    for (const flag of secretFlags) {
      let value: string | undefined
      if (word === flag) value = argv[i + 1]
      else if (word.startsWith(`${flag}=`)) value = word.slice(flag.length + 1)
      if (value === undefined) continue
      out.push(flag === '--header' ? value.slice(value.indexOf('=') + 1) : value)
    }
  }
  for (const name of ['FLINK_DEPLOY_TOKEN', 'FLINK_DEPLOY_PASSWORD', 'FLINK_DEPLOY_NOTIFY_SECRET'])
    if (env[name]) out.push(env[name])
  for (const line of (env.FLINK_DEPLOY_NOTIFY ?? '').split(/\r?\n/)) if (line.trim()) out.push(line.trim())
  for (const line of (env.FLINK_DEPLOY_HEADERS ?? '').split(/\r?\n/))
    if (line.includes('=')) out.push(line.slice(line.indexOf('=') + 1))
  return out
}

function parseArgsMessage(error: unknown, flags: string[]): string {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : String(error)
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1]
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const bare = option?.replace(/^-+(no-)?/, '') ?? ''
      const near = flags.find((f) => editDistance(f, bare) <= 2)
      return `unknown option ${option ?? message}${near ? `; did you mean --${near}?` : ''}`
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (message.includes('does not take an argument'))
        return `${option}: takes no value; write ${option} or --no-${option?.replace(/^-+/, '')}`
      return `${option}: expected a value`
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const word = /'([^']*)'/.exec(message)?.[1]
      return `unexpected argument ${JSON.stringify(word ?? message)}`
    }
    default:
      return message
  }
}

function classify(error: unknown): { exitCode: number; code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof UsageError) return { exitCode: EXIT.badInput, code: 'BAD_INPUT', message }
  if (error instanceof CommandFailed) return { exitCode: EXIT.error, code: 'COMMAND_FAILED', message }
  if (isFlinkDeployError(error)) {
    switch (error.code) {
      case 'INVALID_ARGUMENT':
      case 'STATE_FILE_INVALID':
      case 'MANIFEST_INVALID':
        return { exitCode: EXIT.badInput, code: error.code, message }
      case 'UPGRADE_LOCKED':
        return { exitCode: EXIT.locked, code: error.code, message }
      case 'STATE_STORE_UNAVAILABLE': {
        // A missing bucket or refused credentials is a setting to fix; an unreachable server may pass.
        const problem = (error as { problem?: string }).problem
        const setting =
          problem === 'no-such-bucket' || problem === 'access-denied' || problem === 'bad-request'
        return { exitCode: setting ? EXIT.badInput : EXIT.error, code: error.code, message }
      }
      case 'PREFLIGHT_FAILED':
        if ((error as { check?: string }).check === 'state-file')
          return { exitCode: EXIT.locked, code: error.code, message }
        return { exitCode: EXIT.aborted, code: error.code, message }
    }
    return { exitCode: EXIT.error, code: error.code, message }
  }
  return { exitCode: EXIT.error, code: 'UNEXPECTED', message }
}
