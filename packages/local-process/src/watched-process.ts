/**
 * Long-lived children (Flink JVMs, the moto server) that never outlive the Node process that started them:
 * exit and signal handlers SIGKILL them, and a tiny detached `sh` watchdog per child kills it if Node itself
 * dies by SIGKILL. Only pids started here are ever signalled by these handlers.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'

export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** A child started by spawnWatched. */
export interface WatchedProcess {
  /** what it is, for messages (e.g. 'jobmanager', 'moto server') */
  readonly name: string
  readonly pid: number
  /** resolves once the process is gone */
  readonly exited: Promise<ProcessExit>
  /** true once the process exited */
  hasExited(): boolean
}

export interface SpawnWatchedOptions {
  name: string
  command: string
  args: readonly string[]
  /** stdout+stderr are appended to this file (it also survives the Node process) */
  outFile: string
  cwd?: string
  /** environment of the child (default: this process's) */
  env?: NodeJS.ProcessEnv
  /**
   * attached (default): killed when this Node process exits (exit/signal handlers + the watchdog).
   * detached: outlives Node (the CLIs' `up` commands).
   */
  detached?: boolean
}

/** Pids of live attached children to kill if the Node process goes away. */
const owned = new Set<number>()
let handlersInstalled = false

export function spawnWatched(o: SpawnWatchedOptions): WatchedProcess {
  const fd = openSync(o.outFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(o.command, o.args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: o.detached ?? false,
    })
  } finally {
    closeSync(fd)
  }
  const pid = child.pid
  if (pid === undefined) {
    // the 'error' event (ENOENT…) follows asynchronously: this throw reports it, so it must not crash Node
    child.on('error', () => {})
    throw new Error(`Could not start the ${o.name} (${o.command}): spawn failed, see ${o.outFile}`)
  }
  let done = false
  const exited = new Promise<ProcessExit>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      done = true
      owned.delete(pid)
      resolve({ code, signal })
    }
    child.on('exit', finish)
    child.on('error', () => finish(null, null))
  })
  if (o.detached) {
    child.unref()
  } else {
    installExitHandlers()
    owned.add(pid)
    startWatchdog(pid)
  }
  return { name: o.name, pid, exited, hasExited: () => done }
}

function killOwnedSync(): void {
  for (const pid of owned) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  owned.clear()
}

function installExitHandlers(): void {
  if (handlersInstalled) return
  handlersInstalled = true
  process.on('exit', killOwnedSync)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killOwnedSync()
      process.removeListener(sig, onSignal)
      // keep the default behaviour (terminate) unless someone else handles the signal
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig)
    }
    process.on(sig, onSignal)
  }
}

/** A detached shell that SIGKILLs `childPid` when this Node process disappears (e.g. killed by SIGKILL). */
function startWatchdog(childPid: number): void {
  // alive: /proc/<pid> exists and is not a zombie (an orphaned zombie may never be reaped in a container)
  const script =
    `alive() { s=$(cat /proc/$1/stat 2>/dev/null) || return 1; s=\${s##*") "}; [ "\${s%% *}" != Z ]; }; ` +
    'while alive "$1" && alive "$2"; do sleep 1; done; ' +
    'if ! alive "$1"; then kill -9 "$2" 2>/dev/null; fi'
  const w = spawn('sh', ['-c', script, 'local-process-watchdog', String(process.pid), String(childPid)], {
    stdio: 'ignore',
    detached: true,
  })
  w.on('error', () => {})
  w.unref()
}
