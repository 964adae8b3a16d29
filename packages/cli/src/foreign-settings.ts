/**
 * Nothing a user sets is silently ignored. A `FLINK_DEPLOY_*` variable or a config-file key that no command
 * knows is a mistake (a typo, a setting that does not exist): an error naming the closest known setting,
 * before anything runs. One that only other commands take is a warning naming them: an environment or a
 * config file is often shared by several commands (CI sets FLINK_DEPLOY_JAR for `upgrade`, then runs
 * `status`), so refusing it would break legitimate use, while saying nothing would hide that this command
 * does not use it. A flag of another command stays an error (parseArgs): it was typed for this command.
 */
import { COMMANDS, type Command, settingsOf } from './commands.ts'
import {
  type ConfigFile,
  editDistance,
  envName,
  fileKey,
  fileOrigin,
  SETTINGS,
  type Setting,
  type SettingKey,
  UsageError,
} from './settings.ts'

/** Variables that are not settings: FLINK_DEPLOY_DEBUG shows stack traces and Flink's whole answers. */
const OTHER_VARIABLES = ['FLINK_DEPLOY_DEBUG']

const readable = (Object.entries(SETTINGS) as [SettingKey, Setting][]).filter(([, s]) => !s.flagOnly)

/** The commands that take a setting, for the message. */
const commandsTaking = (key: SettingKey) =>
  COMMANDS.filter((c) => settingsOf(c).includes(key)).map((c) => c.name)

function closest(name: string, known: readonly string[]): string | undefined {
  const [best] = known.map((k) => [k, editDistance(k, name)] as const).sort((a, b) => a[1] - b[1])
  return best && best[1] <= Math.max(2, Math.floor(name.length / 4)) ? best[0] : undefined
}

/** Warnings for the settings of other commands; throws a UsageError for a setting that does not exist. */
export function checkForeignSettings(
  command: Command,
  env: Record<string, string | undefined>,
  file: ConfigFile | undefined,
): string[] {
  const own = new Set(settingsOf(command))
  const warnings: string[] = []
  const foreign = (key: SettingKey, where: string) => {
    if (!own.has(key))
      warnings.push(
        `${where} is a setting of ${commandsTaking(key).join(', ')}; ${command.name} does not use it`,
      )
  }
  const byEnv = new Map(readable.map(([key, s]) => [envName(s), key]))
  for (const name of Object.keys(env)
    .filter((n) => n.startsWith('FLINK_DEPLOY_'))
    .sort()) {
    if (env[name] === undefined || env[name] === '' || OTHER_VARIABLES.includes(name)) continue
    const key = byEnv.get(name)
    if (key) foreign(key, name)
    else {
      const near = closest(name, [...byEnv.keys()])
      throw new UsageError(`${name}: no such setting${near ? `; did you mean ${near}?` : ''}`, command.name)
    }
  }
  if (file) {
    const byKey = new Map(readable.map(([key, s]) => [fileKey(s), key]))
    for (const name of Object.keys(file.values)) {
      const key = byKey.get(name)
      if (key && key !== 'config') foreign(key, fileOrigin(file, name))
    }
  }
  return warnings
}
