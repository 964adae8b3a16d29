/**
 * The --config file: YAML (`.yaml`, `.yml`) or JSON (anything else), the same keys either way. Each key's
 * line is kept so a mistake is reported as `deploy.yaml:7: parallelism: expected ...`. The YAML parser is
 * loaded only when a file is given: most runs take their settings from flags and the environment.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { type ConfigFile, checkFileKeys, UsageError } from './settings.ts'

export async function readConfigFile(
  given: string,
  origin: string,
  cwd: string,
  command: string,
): Promise<ConfigFile> {
  let text: string
  try {
    text = readFileSync(resolve(cwd, given), 'utf8')
  } catch (error) {
    throw new UsageError(
      `${origin}: cannot read "${given}" (${(error as NodeJS.ErrnoException).code ?? error})`,
      command,
    )
  }
  const yaml = /\.ya?ml$/i.test(given)
  // Bundled (dist/, the single executable) the package is CommonJS behind a dynamic import: its exports are
  // on `default` there, as named exports when Node loads it itself.
  const loaded = await import('yaml')
  const { LineCounter, parseDocument } = (loaded as unknown as { default?: typeof loaded }).default ?? loaded
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  let values: unknown
  if (yaml) {
    const error = doc.errors[0]
    if (error) {
      const line = lineCounter.linePos(error.pos[0]).line
      throw new UsageError(`${given}:${line}: not valid YAML: ${firstLine(error.message)}`, command)
    }
    values = doc.toJS()
  } else {
    try {
      values = JSON.parse(text)
    } catch (error) {
      throw new UsageError(`${given}: not valid JSON: ${(error as Error).message}`, command)
    }
  }
  const format = yaml ? 'YAML mapping' : 'JSON object'
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    throw new UsageError(`${given}: expected a ${format} of settings, got ${describe(values)}`, command)
  const lines: Record<string, number> = {}
  // JSON is YAML too, so the same parse gives a JSON file's key lines; without them messages just omit the line.
  const top = doc.errors.length === 0 ? doc.contents : undefined
  if (top && 'items' in top && Array.isArray(top.items)) {
    for (const pair of top.items as { key?: { value?: unknown; range?: [number, number, number] } }[]) {
      const start = pair.key?.range?.[0]
      if (typeof pair.key?.value === 'string' && start !== undefined)
        lines[pair.key.value] = lineCounter.linePos(start).line
    }
  }
  const file: ConfigFile = { name: given, values: values as Record<string, unknown>, lines }
  checkFileKeys(file, command)
  return file
}

const firstLine = (message: string) => message.split('\n')[0]!.trim()

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'an empty document'
  if (Array.isArray(value)) return 'a list'
  return `a ${typeof value}`
}
