import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

/** A JVM started by this package. */
export interface JvmProcess {
  readonly role: string
  readonly pid: number
  readonly child: ChildProcess | undefined
  /** resolves with the exit code/signal once the process is gone */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** true once the process exited */
  hasExited(): boolean
}

/** Pids of live JVMs to kill if the Node process goes away. */
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

export interface SpawnJvmOptions {
  role: string
  java: string
  args: string[]
  /** stdout+stderr are appended to this file (also survives the Node process) */
  outFile: string
  cwd: string
  /** environment of the JVM (default: this process's) */
  env?: NodeJS.ProcessEnv
  /**
   * attached (default): killed when this Node process exits (exit/signal handlers + a watchdog shell that
   * SIGKILLs the JVM if Node dies by SIGKILL). detached: outlives Node (the CLI `up` command).
   */
  detached?: boolean
}

export function spawnJvm(o: SpawnJvmOptions): JvmProcess {
  const fd = openSync(o.outFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(o.java, o.args, {
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
    throw new Error(`Could not start the ${o.role} JVM (${o.java}): spawn failed, see ${o.outFile}`)
  }
  let done = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true
      owned.delete(pid)
      resolve({ code, signal })
    })
    child.on('error', () => {
      done = true
      owned.delete(pid)
      resolve({ code: null, signal: null })
    })
  })
  if (o.detached) {
    child.unref()
  } else {
    installExitHandlers()
    owned.add(pid)
    startWatchdog(pid)
  }
  return { role: o.role, pid, child, exited, hasExited: () => done }
}

/** A tiny detached shell that SIGKILLs `jvmPid` when this Node process disappears (e.g. killed by SIGKILL). */
function startWatchdog(jvmPid: number): void {
  // alive: /proc/<pid> exists and is not a zombie (an orphaned zombie may never be reaped in a container)
  const script =
    `alive() { s=$(cat /proc/$1/stat 2>/dev/null) || return 1; s=\${s##*") "}; [ "\${s%% *}" != Z ]; }; ` +
    'while alive "$1" && alive "$2"; do sleep 1; done; ' +
    'if ! alive "$1"; then kill -9 "$2" 2>/dev/null; fi'
  const w = spawn('sh', ['-c', script, 'flink-watchdog', String(process.pid), String(jvmPid)], {
    stdio: 'ignore',
    detached: true,
  })
  w.on('error', () => {})
  w.unref()
}

/** True if `pid` runs (a zombie counts as gone: in containers PID 1 may reap orphans late or never). */
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

/** The command line of a pid (empty when gone); used to make sure a pid from a state file is still ours. */
export async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ')
  } catch {
    return ''
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitGone(p: JvmProcess | number, timeoutMs: number): Promise<boolean> {
  if (typeof p !== 'number') {
    if (p.hasExited()) return true
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), timeoutMs)
    })
    const r = await Promise.race([p.exited.then(() => true as const), timeout])
    clearTimeout(timer)
    return r
  }
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive(p)) return true
    await sleep(100)
  }
  return !isAlive(p)
}

/**
 * SIGTERM (or `signal`), then SIGKILL after `graceMs`. Accepts a JvmProcess started here or a bare pid
 * (CLI `down`). Resolves when the process is gone.
 */
export async function stopProcess(
  p: JvmProcess | number,
  options: { graceMs?: number; signal?: NodeJS.Signals } = {},
): Promise<void> {
  const pid = typeof p === 'number' ? p : p.pid
  if (typeof p !== 'number' && p.hasExited()) return
  const signal = options.signal ?? 'SIGTERM'
  try {
    process.kill(pid, signal)
  } catch {
    return
  }
  if (signal === 'SIGKILL' || !(await waitGone(p, options.graceMs ?? 10_000))) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone
    }
    await waitGone(p, 10_000)
  }
  owned.delete(pid)
}
