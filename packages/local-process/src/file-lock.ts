import { open, readFile, rm, stat } from 'node:fs/promises'
import { isAlive } from './pid.ts'

/**
 * Runs `fn` holding a cross-process lock file (O_EXCL, holding the holder's pid), so parallel test workers
 * don't run the same long install or build twice; the others wait, polling with backoff, and then find its
 * result. A lock whose holder died is broken. Only an optimisation: callers still make their results appear
 * atomically, so a stale lock broken twice costs time, not correctness.
 */
export async function withFileLock(
  lock: string,
  fn: () => Promise<void>,
  options: { timeoutMs: number; what: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  let delay = 200
  for (;;) {
    try {
      const fh = await open(lock, 'wx')
      await fh.writeFile(String(process.pid))
      await fh.close()
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    const holder = Number(await readFile(lock, 'utf8').catch(() => ''))
    // an empty lock is one being written, unless it is old: its writer died between open and write
    const abandoned = holder > 0 ? !isAlive(holder) : Date.now() - (await mtimeMs(lock)) > 30_000
    if (abandoned) {
      await rm(lock, { force: true })
      continue
    }
    if (Date.now() > deadline)
      throw new Error(
        `Timed out after ${options.timeoutMs} ms waiting for ${options.what} of pid ${holder} (${lock})`,
      )
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(2000, Math.round(delay * 1.5))
  }
  try {
    await fn()
  } finally {
    await rm(lock, { force: true })
  }
}

async function mtimeMs(path: string): Promise<number> {
  return (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs
}
