/**
 * Runs the CLI as a user does, a child process `node src/bin.ts ...`, for the tests (fake and real Flink).
 * Not part of the build.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { recordPrinted } from '../../../test/support/printed-record.ts'

export const BIN = fileURLToPath(new URL('./bin.ts', import.meta.url))

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  cwd: string
  env?: Record<string, string>
  timeoutMs?: number
  /** Another entry point, e.g. the built dist/bin.js (default: the source, src/bin.ts). */
  bin?: string
}

/** The parent's environment without FLINK_DEPLOY_* (a developer's own settings must not leak into tests). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLINK_DEPLOY_')))
  return { ...env, NO_COLOR: '1', ...extra }
}

export interface RunningCli {
  child: ChildProcess
  /** Output so far. */
  stdout(): string
  stderr(): string
  /** Resolves once stdout (or stderr) matches. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>
  done: Promise<CliRun>
}

export function startCli(args: readonly string[], options: CliOptions): RunningCli {
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  const changed = () => {
    for (const w of waiters) w()
  }
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
    changed()
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    changed()
  })
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timeout)
      changed()
      recordPrinted(`${stdout}\n${stderr}`)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    waitFor(pattern, stream = 'stdout', timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const text = () => (stream === 'stdout' ? stdout : stderr)
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms:\n${stdout}\n---\n${stderr}`))
        }, timeoutMs)
        const check = () => {
          if (pattern.test(text())) {
            clearTimeout(timer)
            waiters.delete(check)
            resolve()
          } else if (child.exitCode !== null) {
            clearTimeout(timer)
            waiters.delete(check)
            reject(new Error(`exited (${child.exitCode}) before ${pattern}:\n${stdout}\n---\n${stderr}`))
          }
        }
        waiters.add(check)
        check()
      })
    },
  }
}

export function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  return startCli(args, options).done
}

export function tempDir(prefix = 'flink-deploy-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A file the fake Flink takes for a jar: zip magic, then content that makes each build distinct. */
export function fakeJar(dir: string, name: string, marker = name): string {
  const path = join(dir, name)
  writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(marker)]))
  return path
}

/** Parses NDJSON output: every line must be JSON. */
export function ndjson(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>
      } catch {
        throw new Error(`not a JSON line: ${line}`)
      }
    })
}
