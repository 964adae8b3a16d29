import { spawn } from 'node:child_process'

export interface ExecResult {
  code: number | null
  signal: NodeJS.Signals | null
  output: string
}

/** Runs a command to completion (no shell, no stdin), collecting stdout+stderr. Never throws for a non-zero exit. */
export function exec(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const collect = (d: string) => {
      output += d
    }
    child.stdout.setEncoding('utf8').on('data', collect)
    child.stderr.setEncoding('utf8').on('data', collect)
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, output })
    })
  })
}

/** Last `n` lines of `s`. */
export function lastLines(s: string, n: number): string {
  const lines = s.trimEnd().split('\n')
  return lines.slice(Math.max(0, lines.length - n)).join('\n')
}
