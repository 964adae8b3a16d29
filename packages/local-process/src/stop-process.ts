import { isAlive } from './pid.ts'
import type { WatchedProcess } from './watched-process.ts'

/**
 * `signal` (default SIGTERM), then SIGKILL after `graceMs` (default 10 s). Takes a process started by
 * spawnWatched or a bare pid (the CLIs' `down`). Resolves when the process is gone.
 */
export async function stopProcess(
  p: WatchedProcess | number,
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
}

async function waitGone(p: WatchedProcess | number, timeoutMs: number): Promise<boolean> {
  if (typeof p !== 'number') {
    if (p.hasExited()) return true
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
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(500, delay * 2)
  }
  return !isAlive(p)
}
