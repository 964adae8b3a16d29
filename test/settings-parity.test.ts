/**
 * Every field of core's UpgradeOptions (and of apply's options) is reachable from every surface users set it
 * on: the CLI (flag, FLINK_DEPLOY_* variable and config key alike: they come from one table), the Action's
 * inputs, a manifest job. A field is either declared in core (packages/core/src/settings/declaration.ts),
 * read by each surface itself (SURFACE_OWN below), or absent from a surface with the reason written down.
 * Adding an option to core without a surface fails here.
 */
import { describe, expect, it } from 'vitest'
import { COMMANDS, settingsOf } from '../packages/cli/src/commands.ts'
import { SETTINGS } from '../packages/cli/src/settings.ts'
import {
  actionInputOf,
  ManifestJobSchema,
  type SettingDeclaration,
  UPGRADE_SETTINGS,
  UpgradeOptionsSchema,
} from '../packages/core/src/index.ts'
import { INPUT_NAMES } from '../packages/github-action/src/inputs.ts'

type Where = string | { absent: string }
interface Surfaces {
  cli: { command: string; flag: Where }
  action: Where
  manifest: Where
}

/** Options each surface reads itself, because they are more than a value passed through. */
const SURFACE_OWN: Record<string, Surfaces> = {
  jobName: { cli: { command: 'upgrade', flag: 'job-name' }, action: 'job-name', manifest: 'job-name' },
  jobId: {
    cli: { command: 'upgrade', flag: 'job-id' },
    action: 'job-id',
    manifest: { absent: 'a manifest names its jobs; ids change with every deployment' },
  },
  jar: { cli: { command: 'upgrade', flag: 'jar' }, action: 'jar', manifest: 'jar' },
  args: { cli: { command: 'upgrade', flag: 'arg' }, action: 'args', manifest: 'args' },
  'rollback.jar': {
    cli: { command: 'upgrade', flag: 'rollback-jar' },
    action: 'rollback-jar',
    manifest: 'rollback-jar',
  },
  'rollback.args': {
    cli: { command: 'upgrade', flag: 'rollback-arg' },
    action: 'rollback-args',
    manifest: 'rollback-args',
  },
}

/** apply's options (core ApplyRuntime) besides the runtime's client, storage and callbacks. */
const APPLY_OPTIONS: Record<string, Omit<Surfaces, 'manifest'>> = {
  concurrency: { cli: { command: 'apply', flag: 'concurrency' }, action: 'concurrency' },
  continueOnFailure: {
    cli: { command: 'apply', flag: 'continue-on-failure' },
    action: 'continue-on-failure',
  },
  owner: { cli: { command: 'apply', flag: 'lock-owner' }, action: 'lock-owner' },
  leaseMs: { cli: { command: 'apply', flag: 'lock-lease' }, action: 'lock-lease-ms' },
  notify: { cli: { command: 'apply', flag: 'notify' }, action: 'notify' },
}

interface Schema {
  def: { type: string; innerType?: Schema }
  shape?: Record<string, Schema>
}
/** The schema under `.optional()` and `.default()`. */
const bare = (s: Schema): Schema => (s.def.innerType ? bare(s.def.innerType) : s)

/** The paths of UpgradeOptions' fields, one level into nested objects (`verify.checkpoints`). */
function leaves(schema: Schema, prefix = ''): string[] {
  return Object.entries(bare(schema).shape!).flatMap(([key, field]) =>
    bare(field).def.type === 'object' && prefix === '' ? leaves(field, `${key}.`) : [`${prefix}${key}`],
  )
}

const cliFlags = (command: string) =>
  settingsOf(COMMANDS.find((c) => c.name === command)!).map((k) => SETTINGS[k].flag as string)
const manifestKeys = Object.keys(ManifestJobSchema.shape)
const declared = UPGRADE_SETTINGS as readonly SettingDeclaration[]

function surfacesOf(path: string): Surfaces | undefined {
  const d = declared.find((s) => s.option === path)
  if (!d) return SURFACE_OWN[path]
  return {
    cli: { command: 'upgrade', flag: d.name },
    action: actionInputOf(d) ?? (d.action as { absent: string }),
    manifest: d.manifest ?? d.name,
  }
}

function expectOn(where: Where, present: readonly string[], what: string): void {
  if (typeof where === 'string') expect(present, `${what}: "${where}" missing`).toContain(where)
  else expect(where.absent.length, `${what}: absent without a reason`).toBeGreaterThan(10)
}

describe('every core option has a surface, or a written reason why not', () => {
  const fields = leaves(UpgradeOptionsSchema as unknown as Schema)

  it('finds the fields of UpgradeOptions, nested ones included', () => {
    expect(fields).toContain('savepointFormat')
    expect(fields).toContain('verify.checkpoints')
    expect(fields).toContain('timeouts.blueSettleMs')
    expect(fields).toContain('rollback.flinkConfiguration')
  })

  it.each(fields)('UpgradeOptions.%s', (path) => {
    const surfaces = surfacesOf(path)
    expect(surfaces, `declare ${path} in packages/core/src/settings/declaration.ts`).toBeDefined()
    const { cli, action, manifest } = surfaces!
    expectOn(cli.flag, cliFlags(cli.command), `CLI ${cli.command}`)
    expectOn(action, INPUT_NAMES, 'Action input')
    expectOn(manifest, manifestKeys, 'manifest job key')
  })

  it.each(Object.entries(APPLY_OPTIONS))('apply: %s', (_, { cli, action }) => {
    expectOn(cli.flag, cliFlags(cli.command), `CLI ${cli.command}`)
    expectOn(action, INPUT_NAMES, 'Action input')
  })

  it('each declared setting names a real option', () => {
    for (const d of declared) expect(fields, d.name).toContain(d.option)
  })
})
