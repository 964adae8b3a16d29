/**
 * A lock file so two runs cannot upgrade the same job at once. It is created exclusively (`open(path, 'wx')`)
 * and holds `{ pid, hostname, owner, acquiredAt, token }`. A lock whose holder ran on this host and is no
 * longer alive is stale and taken over (under a second exclusive file, `<path>.takeover`, so of several
 * processes that find the same stale lock exactly one removes it); any other holder makes `acquireLock` fail
 * with UpgradeLockedError.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, unlink } from 'node:fs/promises'
import { hostname, userInfo } from 'node:os'
import { dirname, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import * as z from 'zod'
import { errnoCode, type LockHolder, StateStoreIoError, UpgradeLockedError } from './errors.ts'
import type { RunLock } from './run-lock.ts'

export type { LockHolder } from './errors.ts'

export interface AcquireLockOptions {
  /** Who takes the lock, for the message another run shows ("ci job 1234", "alice"). Default `user@host`. */
  owner?: string
}

export interface UpgradeLock extends RunLock {
  /** Absolute path of the lock file. */
  readonly path: string
  /** Set when a stale lock (its process gone, on this host) was taken over. */
  readonly tookOverStaleLockFrom?: LockHolder
}

const LockFileSchema = z.looseObject({
  pid: z.number().int().positive(),
  hostname: z.string(),
  owner: z.string(),
  acquiredAt: z.string(),
  token: z.string().optional(),
})
type LockFile = z.infer<typeof LockFileSchema>

/**
 * How long to wait for a lock file that is empty or half-written (its creator is between open and write), or
 * for another process that is taking over a stale lock (it needs milliseconds), before giving up.
 */
const WAIT_GRACE_MS = 1_000
const TAKEOVER_SUFFIX = '.takeover'

export async function acquireLock(path: string, options: AcquireLockOptions = {}): Promise<UpgradeLock> {
  const file = resolve(path)
  const content: LockFile = {
    pid: process.pid,
    hostname: hostname(),
    owner: options.owner ?? defaultOwner(),
    acquiredAt: new Date().toISOString(),
    token: randomBytes(12).toString('hex'),
  }
  try {
    await mkdir(dirname(file), { recursive: true })
  } catch (error) {
    throw new StateStoreIoError({ path: file, operation: 'write', cause: error })
  }
  let tookOver: LockHolder | undefined
  // Since when the lock file has been unreadable, or a takeover of another process has been in progress.
  let waitingSince: number | undefined
  let wait = 5
  const pause = async (detail: string, holder?: LockHolder) => {
    waitingSince ??= Date.now()
    if (Date.now() - waitingSince > WAIT_GRACE_MS) throw new UpgradeLockedError(file, holder, detail)
    await sleep(wait)
    wait = Math.min(wait * 2, 100)
  }
  for (;;) {
    if (await tryCreate(file, content)) return makeLock(file, content, tookOver)
    const existing = await readLockFile(file)
    if (existing.kind === 'absent') continue // released between our create and read: try again
    if (existing.kind === 'unreadable') {
      // Its creator may be between open('wx') and write; give it a moment before calling it broken.
      await pause(existing.detail)
      continue
    }
    const holder = existing.lock
    if (!isStale(holder)) throw new UpgradeLockedError(file, toHolder(holder))
    const outcome = await removeStale(file, existing.text, content)
    if (outcome === 'removed') tookOver = toHolder(holder)
    if (outcome === 'busy')
      await pause(
        `its holder is gone and another process has been taking it over for too long; remove ${file}${TAKEOVER_SUFFIX} too`,
        toHolder(holder),
      )
    // Whoever removed the stale lock, the next exclusive create decides who holds it.
  }
}

/** Who holds the lock at `path`, or undefined when nobody does (for status displays). */
export async function readLockHolder(path: string): Promise<LockHolder | undefined> {
  const existing = await readLockFile(resolve(path))
  return existing.kind === 'held' ? toHolder(existing.lock) : undefined
}

/** An operator's unlock: removes the lock file whoever holds it; returns who did. */
export async function breakLock(path: string): Promise<LockHolder | undefined> {
  const file = resolve(path)
  const existing = await readLockFile(file)
  await unlinkIgnoringAbsent(file)
  return existing.kind === 'held' ? toHolder(existing.lock) : undefined
}

async function tryCreate(file: string, content: LockFile): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(file, 'wx', 0o644)
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false
    throw new StateStoreIoError({ path: file, operation: 'write', cause: error })
  }
  try {
    await handle.writeFile(`${JSON.stringify(content)}\n`)
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => {})
    await unlink(file).catch(() => {})
    throw new StateStoreIoError({ path: file, operation: 'write', cause: error })
  }
  await handle.close()
  return true
}

type Existing =
  | { kind: 'absent' }
  | { kind: 'unreadable'; detail: string }
  | { kind: 'held'; lock: LockFile; text: string }

async function readLockFile(file: string): Promise<Existing> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'absent' }
    throw new StateStoreIoError({ path: file, operation: 'read', cause: error })
  }
  try {
    const parsed = LockFileSchema.safeParse(JSON.parse(text))
    if (parsed.success) return { kind: 'held', lock: parsed.data, text }
    return {
      kind: 'unreadable',
      detail: `the lock file does not name its holder: ${z.prettifyError(parsed.error)}`,
    }
  } catch {
    return {
      kind: 'unreadable',
      detail: text.trim() === '' ? 'the lock file is empty' : 'the lock file is not JSON',
    }
  }
}

/** Stale: written by a process of this host that no longer exists. A holder on another host is never stale. */
function isStale(lock: LockFile): boolean {
  return lock.hostname === hostname() && !isAlive(lock.pid)
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(error) !== 'ESRCH'
  }
}

/**
 * Removes a stale lock file if it still holds `expected`. Reading and removing are two steps, so they run
 * under a second exclusive file: of several processes that found the same stale lock only one removes it
 * (none can remove a lock that a faster one created in the meantime).
 */
async function removeStale(
  file: string,
  expected: string,
  content: LockFile,
): Promise<'removed' | 'changed' | 'busy'> {
  const guard = `${file}${TAKEOVER_SUFFIX}`
  if (!(await tryCreate(guard, content))) return 'busy'
  try {
    const existing = await readLockFile(file)
    if (existing.kind !== 'held' || existing.text !== expected) return 'changed'
    await unlinkIgnoringAbsent(file)
    return 'removed'
  } finally {
    await unlinkIgnoringAbsent(guard)
  }
}

async function unlinkIgnoringAbsent(file: string): Promise<void> {
  try {
    await unlink(file)
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT')
      throw new StateStoreIoError({ path: file, operation: 'remove', cause: error })
  }
}

function makeLock(file: string, content: LockFile, tookOver: LockHolder | undefined): UpgradeLock {
  const text = `${JSON.stringify(content)}\n`
  let released = false
  return {
    path: file,
    location: file,
    holder: toHolder(content),
    // A lock file cannot be taken from a live process, so it is never lost while the run goes on.
    lost: new AbortController().signal,
    ...(tookOver ? { tookOverStaleLockFrom: tookOver, tookOverFrom: tookOver } : {}),
    async release() {
      if (released) return
      released = true
      const existing = await readLockFile(file)
      // Someone removed our lock by hand (and maybe took it): leave theirs alone.
      if (existing.kind !== 'held' || existing.text !== text) return
      // Only we remove our lock: a live holder is never stale, so no other process removes it meanwhile.
      await unlinkIgnoringAbsent(file)
    },
  }
}

function toHolder(lock: LockFile): LockHolder {
  return { pid: lock.pid, hostname: lock.hostname, owner: lock.owner, acquiredAt: lock.acquiredAt }
}

/** `user@host`: who a lock names when the caller gives no owner. */
export function defaultOwner(): string {
  let user = process.env.USER ?? process.env.USERNAME
  if (!user) {
    try {
      user = userInfo().username
    } catch {
      user = 'unknown'
    }
  }
  return `${user}@${hostname()}`
}
