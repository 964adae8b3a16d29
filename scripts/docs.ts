/**
 * Generated documentation in packages/core/README.md: the API coverage table (from the route table and the
 * test files that name each route) and the Mermaid diagrams of the upgrade machines (from their
 * definitions). `node scripts/docs.ts` rewrites them; test/docs.test.ts fails when the committed text is stale.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { routeGroups } from '../packages/core/src/client/routes/index.ts'
import { blueGreenMachine } from '../packages/core/src/machines/blue-green.ts'
import { toMermaid } from '../packages/core/src/machines/diagram.ts'
import { stopAndRestartMachine } from '../packages/core/src/machines/stop-and-restart.ts'
import type { SettingDeclaration } from '../packages/core/src/settings/declaration.ts'
import { DECLARED_INPUTS } from '../packages/github-action/src/inputs.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const coreReadme = join(root, 'packages/core/README.md')
const actionYml = join(root, 'packages/github-action/action.yml')

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(path)
    // The contract suite (test/contract/contract-suite.ts) is shared by fake.test.ts and real.flink.test.ts.
    return entry.name.endsWith('.test.ts') || entry.name === 'contract-suite.ts' ? [path] : []
  })
}

export function renderApiTable(): string {
  const tests = [...testFiles(join(root, 'packages')), ...testFiles(join(root, 'test'))].map((path) => ({
    name: relative(root, path),
    text: readFileSync(path, 'utf8'),
  }))
  const rows = Object.entries(routeGroups).flatMap(([group, table]) =>
    Object.entries(table).map(([key, spec]) => {
      const where = tests
        .filter((t) => t.text.includes(`'${key}'`))
        .map((t) =>
          t.name.endsWith('contract-suite.ts') ? `\`${t.name}\` (fake and real Flink)` : `\`${t.name}\``,
        )
      return `| \`${key}\` | \`client.${group}.${spec.name}\` | ${spec.summary} | ${where.join('<br>') || '**untested**'} |`
    }),
  )
  return ['| Endpoint | Method | What it does | Tested in |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

const sections: Record<string, () => string> = {
  'api-coverage': renderApiTable,
  'stop-and-restart': () => `\`\`\`mermaid\n${toMermaid(stopAndRestartMachine)}\`\`\``,
  'blue-green': () => `\`\`\`mermaid\n${toMermaid(blueGreenMachine)}\`\`\``,
}

/** Replaces the text between `<!-- NAME:start ... -->` and `<!-- NAME:end -->` for every section present. */
export function renderReadme(current: string): string {
  let out = current
  for (const [name, render] of Object.entries(sections)) {
    const start = out.indexOf(`<!-- ${name}:start`)
    const end = out.indexOf(`<!-- ${name}:end -->`)
    if (start < 0 || end < start)
      throw new Error(`${coreReadme} lacks the <!-- ${name}:start --> ... <!-- ${name}:end --> markers`)
    const startEnd = out.indexOf('-->', start) + 3
    out = `${out.slice(0, startEnd)}\n${render()}\n${out.slice(end)}`
  }
  return out
}

/** An Action input's description: the setting's help, with how the Action writes a duration or a map. */
function inputDescription(d: SettingDeclaration): string {
  const help = d.help.replace(/, repeatable \(env: one per line\)/, '')
  if (d.kind === 'duration' || d.kind === 'durationOrZero') return `${help}; whole milliseconds.`
  return d.kind === 'map' ? `${help}; key=value, one per line.` : `${help}.`
}

/** action.yml's inputs of the declared upgrade settings, between its `declared-settings` markers. */
export function renderActionYml(current: string): string {
  const start = current.indexOf('  # declared-settings:start')
  const end = current.indexOf('  # declared-settings:end')
  if (start < 0 || end < start)
    throw new Error(`${actionYml} lacks the # declared-settings:start/end markers`)
  const startEnd = current.indexOf('\n', start) + 1
  const inputs = DECLARED_INPUTS.map(
    ([name, d]) =>
      `  ${name}:\n    description: ${JSON.stringify(inputDescription(d))}\n    required: false\n`,
  )
  return `${current.slice(0, startEnd)}${inputs.join('')}${current.slice(end)}`
}

export const generated = [
  { path: coreReadme, render: renderReadme },
  { path: actionYml, render: renderActionYml },
]

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { path, render } of generated) writeFileSync(path, render(readFileSync(path, 'utf8')))
}
