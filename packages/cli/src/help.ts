/** --help texts, generated from the settings table so a flag and its help cannot drift apart. */
import { readFileSync } from 'node:fs'
import { COMMANDS, type Command, GLOBAL_KEYS } from './commands.ts'
import { EXIT_CODE_HELP } from './exit-codes.ts'
import {
  CLIENT_KEYS,
  CONNECTION_KEYS,
  envName,
  SETTINGS,
  type Setting,
  type SettingKey,
  TARGET_KEYS,
} from './settings.ts'

/** Set by the bundler: a single executable has no package.json beside it. */
declare const FLINK_DEPLOY_VERSION: string | undefined

export function version(): string {
  if (typeof FLINK_DEPLOY_VERSION === 'string') return FLINK_DEPLOY_VERSION
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

function optionLines(keys: readonly SettingKey[]): string[] {
  const rows = keys.map((key) => {
    const s: Setting = SETTINGS[key]
    const flag = `--${s.flag}${s.arg ? ` ${s.arg}` : ''}`
    const derived = `FLINK_DEPLOY_${s.flag.toUpperCase().replaceAll('-', '_')}`
    const env = s.flagOnly || envName(s) === derived ? '' : `  [${envName(s)}]`
    return [flag, `${s.help}${env}`] as const
  })
  const width = Math.min(34, Math.max(...rows.map(([f]) => f.length)))
  return rows.map(([flag, help]) =>
    flag.length > width ? `  ${flag}\n  ${' '.repeat(width)}  ${help}` : `  ${flag.padEnd(width)}  ${help}`,
  )
}

const SETTINGS_NOTE = `Settings: flags, then environment variables, then the --config file. Each flag has a variable
FLINK_DEPLOY_<FLAG> (--job-name: FLINK_DEPLOY_JOB_NAME) unless another is shown in [brackets]. The config
file is YAML (.yaml, .yml) or JSON; its keys are the flag names without -- (lists as arrays: "args",
"rollback-args"; key=value settings as mappings: "headers", "flink-config"). Durations: 500ms, 30s, 5m, 1h (a bare number
is seconds). Booleans: --drain or --no-drain; true/false in the environment and the file.`

export function commandHelp(command: Command): string {
  const own = command.settings
  const lines = [
    `flink-deploy ${command.name}: ${command.summary}`,
    '',
    `Usage: ${command.usage}`,
    '',
    command.description,
    '',
    'Options:',
    ...optionLines(own),
  ]
  if (command.connection !== false)
    lines.push('', 'Connection:', ...optionLines([...CONNECTION_KEYS, ...CLIENT_KEYS]))
  if (command.target) lines.push('', 'Target cluster (moving the job):', ...optionLines(TARGET_KEYS))
  lines.push('', 'Output and settings:', ...optionLines(GLOBAL_KEYS), '  -h, --help', '', SETTINGS_NOTE)
  lines.push('', 'Examples:', ...command.examples.map((e) => (e ? `  ${e}` : '')))
  if (command.runExitCodes) lines.push('', EXIT_CODE_HELP)
  return `${lines.join('\n')}\n`
}

/** `flink-deploy jars --help`: the group's commands, each with its summary. */
export function groupHelp(group: string): string {
  const commands = COMMANDS.filter((c) => c.name.startsWith(`${group} `))
  const width = Math.max(...commands.map((c) => c.name.length))
  return `Usage: flink-deploy ${group} <${commands.map((c) => c.name.slice(group.length + 1)).join('|')}> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`flink-deploy ${group} <command> --help\` for its options and examples.
`
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return `flink-deploy ${version()}: upgrades of stateful Apache Flink jobs that never lose a savepoint

Usage: flink-deploy <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`flink-deploy <command> --help\` for its options and examples.

Connection (every command):
${optionLines([...CONNECTION_KEYS, ...CLIENT_KEYS]).join('\n')}

Output and settings:
${optionLines(GLOBAL_KEYS).join('\n')}
  -h, --help
  --version [--verbose]  the version; --verbose adds Node and optional components

${SETTINGS_NOTE}

Output: on a terminal, live progress of the current step and a summary; otherwise plain lines; with
--json, NDJSON events and one final {"type":"result"} line (an error is one {"type":"error"} line), and
nothing else on stdout.

Examples:
  flink-deploy upgrade --flink-url http://localhost:8081 --job-name orders --jar build/orders.jar
  flink-deploy status --flink-url http://localhost:8081

${EXIT_CODE_HELP}
`
}
