import { redact } from '@flink-deploy/core'
/**
 * What the CLI needs from its process, injectable for tests: streams, environment, working directory, and
 * the signals that cancel a run. Every write passes through a redactor so a secret given to the CLI never
 * reaches stdout or stderr, whatever produced the text.
 */

export interface OutputStream {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

export interface Io {
  stdout: OutputStream
  stderr: OutputStream
  env: Record<string, string | undefined>
  cwd: string
  /**
   * Calls `handler` on each Ctrl-C (SIGINT) or SIGTERM until the returned function is called.
   * Defaults to process signals.
   */
  onInterrupt?(handler: () => void): () => void
  /** Ends the process at once (a second Ctrl-C). Defaults to process.exit. */
  exit?(code: number): never
  /** Epoch ms the command began: the process's start, so a run's total is the time the user waited. */
  startedAt?: number
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onInterrupt(handler) {
      process.on('SIGINT', handler)
      process.on('SIGTERM', handler)
      return () => {
        process.off('SIGINT', handler)
        process.off('SIGTERM', handler)
      }
    },
    exit: (code) => process.exit(code),
    startedAt: performance.timeOrigin,
  }
}

/** Replaces every registered secret (and its base64 form) with ***. */
export function redacting(stream: OutputStream): OutputStream {
  return {
    write: (text: string) => stream.write(redact(text)),
    get isTTY() {
      return stream.isTTY
    },
    get columns() {
      return stream.columns
    },
  }
}
