/**
 * Runs the built Action (`dist/index.js`) the way the runner does: a child `node` process with the inputs
 * as `INPUT_<NAME>` environment variables (hyphens kept), `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files,
 * and the workspace as the working directory. Test support only; not part of the bundle.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exec } from '@flink-deploy/local-process'
import { recordPrinted } from '../../../test/support/printed-record.ts'

export const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url))

export interface DistRun {
  code: number | null
  stdout: string
  stderr: string
  /** Parsed from the GITHUB_OUTPUT file (name=value and name<<delimiter heredocs). */
  outputs: Record<string, string>
  /** Raw GITHUB_OUTPUT file content. */
  outputFile: string
  summary: string
}

/** A temporary workspace with the release jars a test needs. */
export function workspace(prefix = 'flink-deploy-action-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Writes a file the fake Flink takes for a jar (it starts with PK\x03\x04); the marker makes its content unique. */
export function fakeJar(dir: string, name: string, marker = name): string {
  const path = join(dir, name)
  writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(marker)]))
  return path
}

export async function runDist(
  inputs: Record<string, string>,
  options: { workspace: string; timeoutMs?: number; env?: Record<string, string> },
): Promise<DistRun> {
  const files = mkdtempSync(join(tmpdir(), 'flink-deploy-runner-'))
  const outputPath = join(files, 'output')
  const summaryPath = join(files, 'summary')
  writeFileSync(outputPath, '')
  writeFileSync(summaryPath, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? files,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    RUNNER_TEMP: files,
    ...options.env,
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const { code, stdout, stderr } = await exec(process.execPath, [DIST], {
    cwd: options.workspace,
    env,
    timeoutMs: options.timeoutMs ?? 60_000,
  })
  const outputFile = existsSync(outputPath) ? readFileSync(outputPath, 'utf8') : ''
  recordPrinted(`${stdout}\n${stderr}`)
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(outputFile),
    outputFile,
    summary: existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '',
  }
}

/** Reads a GITHUB_OUTPUT file as the runner does: `name=value` lines and `name<<DELIMITER` heredocs. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!)
      if (i >= lines.length) throw new Error(`output ${name}: delimiter ${delimiter} never closes`)
      out[name!] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq < 0) throw new Error(`not an output line: ${line}`)
    out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

/** Workflow commands (`::name props::message`) in a run's stdout. */
export function commands(stdout: string, name: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(`::${name}`))
    .map((l) => l.slice(l.indexOf('::', 2) + 2))
}
