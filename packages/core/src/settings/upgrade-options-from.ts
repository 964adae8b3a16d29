/**
 * The one mapping from declared settings to core's UpgradeOptions, shared by the CLI, the Action and the
 * manifest: each surface reads the values in its own syntax and passes them here.
 */
import type { UpgradeOptions } from '../upgrade/options.ts'
import { type SettingDeclaration, UPGRADE_SETTINGS } from './declaration.ts'

/**
 * `base` holds what each surface reads itself (the job, the jars, program arguments); `given` gives a
 * declared setting's value, or undefined when it is not set. Nested options (`verify`, `timeouts`,
 * `rollback`) appear only when one of their fields is set, so core's defaults apply to the rest.
 */
export function upgradeOptionsFrom(
  base: UpgradeOptions,
  given: (setting: SettingDeclaration) => unknown,
): UpgradeOptions {
  const options: Record<string, unknown> = { ...base }
  for (const setting of UPGRADE_SETTINGS as readonly SettingDeclaration[]) {
    const value = given(setting)
    if (value === undefined) continue
    const [head, field] = setting.option.split('.') as [string, string | undefined]
    if (field === undefined) options[head] = value
    else options[head] = { ...(options[head] as object | undefined), [field]: value }
  }
  return options as UpgradeOptions
}
