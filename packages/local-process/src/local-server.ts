/**
 * The life of a dev-only server (a broker, ZooKeeper, moto, a trace collector) once its process is spawned:
 * wait until it serves, failing fast with its log when it exits or logs a failure; and a stop that releases
 * its ports and keeps its log when it had died, so a test that failed because of it can be read afterwards.
 */
import { rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { releasePorts } from './free-ports.ts'
import { stopProcess } from './stop-process.ts'
import { tailFile } from './tail-file.ts'
import type { WatchedProcess } from './watched-process.ts'

export interface LocalServerStart {
  /** e.g. "The Kafka broker", "ZooKeeper": the subject of its error messages */
  label: string
  proc: WatchedProcess
  logFile: string
  /** released when it stops (and when it fails to start) */
  ports?: number[]
  /** removed when it stops, unless it had died */
  workDir: string
  timeoutMs: number
  /** true once it serves */
  ready: () => Promise<boolean>
  /** a reason when the log shows that it failed although the process still runs */
  failed?: () => Promise<string | undefined>
  /** how long stop() waits after SIGTERM before SIGKILL (default 10 s) */
  graceMs?: number
}

export interface LocalServerHandle {
  /** SIGTERM (SIGKILL after the grace), then removes the work folder unless the server had died. Safe to call twice. */
  stop(): Promise<void>
}

/** Waits until the spawned server serves (polling with backoff) and returns its stop; stops it if it never does. */
export async function superviseLocalServer(start: LocalServerStart): Promise<LocalServerHandle> {
  const { label, proc, logFile, ports = [] } = start
  try {
    await waitUntilReady(start)
  } catch (e) {
    await stopProcess(proc, { graceMs: 1000 })
    releasePorts(ports)
    throw e
  }
  let stopped = false
  return {
    async stop() {
      if (stopped) return
      stopped = true
      const diedEarlier = proc.hasExited()
      await stopProcess(proc, { graceMs: start.graceMs ?? 10_000 })
      releasePorts(ports)
      if (diedEarlier) console.error(`[local-process] ${label} had died; its log is kept: ${logFile}`)
      else await rm(start.workDir, { recursive: true, force: true })
    },
  }
}

async function waitUntilReady(start: LocalServerStart): Promise<void> {
  const { label, proc, logFile, timeoutMs } = start
  const deadline = Date.now() + timeoutMs
  let delay = 50
  for (;;) {
    if (proc.hasExited())
      throw new Error(`${label} (pid ${proc.pid}) exited while starting:\n${await logTail(logFile)}`)
    const failure = await start.failed?.()
    if (failure) throw new Error(`${label} (pid ${proc.pid}) ${failure}:\n${await logTail(logFile)}`)
    if (await start.ready()) return
    if (Date.now() > deadline)
      throw new Error(`${label} did not start within ${timeoutMs} ms:\n${await logTail(logFile)}`)
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(500, Math.round(delay * 1.5))
  }
}

/** Whether something accepts TCP connections on host:port. */
export function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export function logTail(path: string): Promise<string> {
  return tailFile(path, 40).catch(() => `(no log at ${path})`)
}
