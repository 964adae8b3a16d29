/**
 * The READMEs' settings tables are written by hand (they say more than the help text); this checks that each
 * declared upgrade setting is in them: the CLI's flag, the Action's input, and which a manifest does not take.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  actionInputOf,
  inManifest,
  type SettingDeclaration,
  UPGRADE_SETTINGS,
} from '../packages/core/src/settings/declaration.ts'

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')
const cli = read('packages/cli/README.md')
const action = read('packages/github-action/README.md')
const declared = UPGRADE_SETTINGS as readonly SettingDeclaration[]

describe("the READMEs' settings tables name every declared setting", () => {
  it.each(declared.map((d) => [d.name, d] as const))('%s', (_, d) => {
    expect(cli, 'packages/cli/README.md').toContain(`--${d.name}`)
    const input = actionInputOf(d)
    if (input) expect(action, 'packages/github-action/README.md').toContain(`\`${input}\``)
  })

  it('the manifest section names the upgrade settings a manifest does not take', () => {
    const manifest = cli.slice(cli.indexOf('## Many jobs'))
    for (const d of declared.filter((x) => !inManifest(x))) expect(manifest).toContain(`\`--${d.name}\``)
  })
})
