/**
 * Child processes that never outlive the Node process that started them (same approach as
 * @flink-deploy/local-flink's JVMs): exit and signal handlers SIGKILL them, and a tiny detached `sh` watchdog
 * per child kills it if Node itself dies by SIGKILL. Only pids started here are ever signalled.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

export interface ServerProcess {
  readonly pid: number
  /** resolves once the process is gone */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  hasExited(): boolean
}

const owned = new Set<number>()
let handlersInstalled = false

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

export interface SpawnServerOptions {
  command: string
  args: string[]
  /** stdout+stderr are appended here */
  outFile: string
  env?: NodeJS.ProcessEnv
  /** outlives this Node process (the CLI `up` command): no exit handlers, no watchdog */
  detached?: boolean
}

export function spawnServer(o: SpawnServerOptions): ServerProcess {
  const fd = openSync(o.outFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(o.command, o.args, {
      stdio: ['ignore', fd, fd],
      env: o.env ?? process.env,
      detached: o.detached ?? false,
    })
  } finally {
    closeSync(fd)
  }
  const pid = child.pid
  if (pid === undefined) throw new Error(`Could not start ${o.command}: spawn failed, see ${o.outFile}`)
  let done = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
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
  return { pid, exited, hasExited: () => done }
}

/** A detached shell that SIGKILLs `childPid` when this Node process disappears (e.g. killed by SIGKILL). */
function startWatchdog(childPid: number): void {
  // alive: /proc/<pid> exists and is not a zombie (an orphaned zombie may never be reaped in a container)
  const script =
    `alive() { s=$(cat /proc/$1/stat 2>/dev/null) || return 1; s=\${s##*") "}; [ "\${s%% *}" != Z ]; }; ` +
    'while alive "$1" && alive "$2"; do sleep 1; done; ' +
    'if ! alive "$1"; then kill -9 "$2" 2>/dev/null; fi'
  const w = spawn('sh', ['-c', script, 'local-s3-watchdog', String(process.pid), String(childPid)], {
    stdio: 'ignore',
    detached: true,
  })
  w.on('error', () => {})
  w.unref()
}

/** True if `pid` runs (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/** The command line of a pid (empty when gone): makes sure a pid from a state file is still ours. */
export async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ')
  } catch {
    return ''
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitGone(p: ServerProcess | number, timeoutMs: number): Promise<boolean> {
  if (typeof p !== 'number') {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), timeoutMs)
    })
    const gone = await Promise.race([p.exited.then(() => true as const), timeout])
    clearTimeout(timer)
    return gone
  }
  const deadline = Date.now() + timeoutMs
  let delay = 50
  while (Date.now() < deadline) {
    if (!isAlive(p)) return true
    await sleep(delay)
    delay = Math.min(500, delay * 2)
  }
  return !isAlive(p)
}

/** SIGTERM, then SIGKILL after `graceMs`. Takes a process started here or a recorded pid (CLI `down`). */
export async function stopProcess(
  p: ServerProcess | number,
  options: { graceMs?: number } = {},
): Promise<void> {
  const pid = typeof p === 'number' ? p : p.pid
  if (typeof p !== 'number' && p.hasExited()) return
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    return
  }
  if (!(await waitGone(p, options.graceMs ?? 5_000))) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone
    }
    await waitGone(p, 10_000)
  }
  owned.delete(pid)
}
