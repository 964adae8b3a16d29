/**
 * A lock that works across machines, on one object: created only if absent, renewed by compare-and-swap on
 * its ETag while the run goes on, and taken over (again by compare-and-swap) once its lease has expired, so a
 * runner that vanished never blocks a job for longer than one lease, and two live runs never both proceed.
 *
 * Expiry is judged by the reader's clock against the expiry the holder wrote: machines' clocks must agree to
 * well within one lease (NTP does; the default lease is a minute).
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import * as z from 'zod'
import { type LockHolder, UpgradeLockedError, UpgradeLockLostError } from '../store/errors.ts'
import { defaultOwner } from '../store/lock.ts'
import type { RunLock } from '../store/run-lock.ts'
import { ObjectConditionFailedError } from './errors.ts'
import type { ObjectStore } from './object-store.ts'

export interface LeaseLockOptions {
  /** Who takes the lock, shown to a run it refuses ("ci job 1234"). Default `user@host`. */
  owner?: string
  /** How long the lock holds without renewal (default 60 s). */
  leaseMs?: number
  /** How to tell the user to break the lock by hand (shown in UpgradeLockedError). */
  remedy?: string
  now?: () => number
}

export const DEFAULT_LEASE_MS = 60_000

const LockObject = z.looseObject({
  formatVersion: z.literal(1),
  owner: z.string(),
  hostname: z.string(),
  pid: z.number().int(),
  token: z.string(),
  acquiredAt: z.string(),
  renewedAt: z.string(),
  expiresAt: z.string(),
})
type LockObject = z.infer<typeof LockObject>

type Existing =
  | { kind: 'absent' }
  | { kind: 'held'; lock: LockObject; etag: string }
  | { kind: 'unreadable'; etag: string; detail: string }

export async function acquireLeaseLock(
  objects: ObjectStore,
  key: string,
  options: LeaseLockOptions = {},
): Promise<RunLock> {
  const now = options.now ?? Date.now
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const location = `${objects.location}${key}`
  const token = randomBytes(12).toString('hex')
  const identity = {
    formatVersion: 1 as const,
    owner: options.owner ?? defaultOwner(),
    hostname: hostname(),
    pid: process.pid,
    token,
    acquiredAt: new Date(now()).toISOString(),
  }
  const body = () =>
    JSON.stringify({
      ...identity,
      renewedAt: new Date(now()).toISOString(),
      expiresAt: new Date(now() + leaseMs).toISOString(),
    } satisfies LockObject)
  const hold = (etag: string, tookOverFrom?: LockHolder) =>
    holdLease(
      { objects, key, location, token, etag, leaseMs, now, body, tookOverFrom },
      toHolder(JSON.parse(body())),
    )

  for (let attempt = 0; ; attempt++) {
    try {
      return hold(await objects.put(key, body(), { ifNoneMatch: '*' }))
    } catch (error) {
      if (!(error instanceof ObjectConditionFailedError)) throw error
    }
    const existing = await readLock(objects, key)
    if (existing.kind === 'absent') continue // released meanwhile: create again
    if (existing.kind === 'unreadable')
      throw new UpgradeLockedError(location, undefined, existing.detail, options.remedy)
    const holder = toHolder(existing.lock)
    if (Date.parse(existing.lock.expiresAt) > now() || attempt > 5)
      throw new UpgradeLockedError(location, holder, undefined, options.remedy)
    try {
      return hold(await objects.put(key, body(), { ifMatch: existing.etag }), holder)
    } catch (error) {
      // Another run renewed or took it over first: look again.
      if (!(error instanceof ObjectConditionFailedError)) throw error
    }
  }
}

/** Who holds the lock now, or undefined when nobody does. */
export async function readLeaseHolder(objects: ObjectStore, key: string): Promise<LockHolder | undefined> {
  const existing = await readLock(objects, key)
  return existing.kind === 'held' ? toHolder(existing.lock) : undefined
}

/** An operator's `unlock`: removes the lock whoever holds it; returns who did. */
export async function breakLeaseLock(objects: ObjectStore, key: string): Promise<LockHolder | undefined> {
  const existing = await readLock(objects, key)
  if (existing.kind === 'absent') return undefined
  await objects.delete(key, { ifMatch: existing.etag })
  return existing.kind === 'held' ? toHolder(existing.lock) : undefined
}

interface Held {
  objects: ObjectStore
  key: string
  location: string
  token: string
  etag: string
  leaseMs: number
  now: () => number
  body: () => string
  tookOverFrom?: LockHolder | undefined
}

function holdLease(held: Held, holder: LockHolder): RunLock {
  const { objects, key, location, token, leaseMs, now } = held
  let etag = held.etag
  let expiresAt = now() + leaseMs
  let timer: NodeJS.Timeout | undefined
  let released = false
  const lost = new AbortController()
  const lose = (detail: string) => {
    if (!lost.signal.aborted) lost.abort(new UpgradeLockLostError(location, detail))
  }

  const renew = async () => {
    if (released || lost.signal.aborted) return
    const next = held.body()
    try {
      etag = await objects.put(key, next, { ifMatch: etag })
      expiresAt = now() + leaseMs
    } catch (error) {
      if (error instanceof ObjectConditionFailedError) {
        // Our own earlier renewal may have landed without us hearing of it; only another token means it is lost.
        const existing = await readLock(objects, key).catch(() => undefined)
        if (existing?.kind === 'held' && existing.lock.token === token) etag = existing.etag
        else return lose('another run took it over or an operator removed it')
      } else if (now() >= expiresAt) {
        return lose(
          `it could not be renewed before its lease expired (${error instanceof Error ? error.message : String(error)})`,
        )
      }
    }
    schedule()
  }
  // Renew at a third of the lease, and retry sooner after a failure, so two failures still leave time.
  const schedule = () => {
    if (released || lost.signal.aborted) return
    timer = setTimeout(renew, Math.max(50, Math.min(leaseMs / 3, expiresAt - now() - leaseMs / 3)))
    timer.unref()
  }
  schedule()

  return {
    location,
    holder,
    ...(held.tookOverFrom ? { tookOverFrom: held.tookOverFrom } : {}),
    lost: lost.signal,
    async release() {
      if (released) return
      released = true
      clearTimeout(timer)
      try {
        await objects.delete(key, { ifMatch: etag })
      } catch (error) {
        // Someone else holds it now (it was taken over or removed by hand): theirs stays.
        if (!(error instanceof ObjectConditionFailedError)) throw error
      }
    },
  }
}

async function readLock(objects: ObjectStore, key: string): Promise<Existing> {
  const found = await objects.get(key)
  if (!found) return { kind: 'absent' }
  try {
    const parsed = LockObject.safeParse(JSON.parse(found.body))
    if (parsed.success) return { kind: 'held', lock: parsed.data, etag: found.etag }
    return {
      kind: 'unreadable',
      etag: found.etag,
      detail: `the lock does not name its holder: ${z.prettifyError(parsed.error)}`,
    }
  } catch {
    return { kind: 'unreadable', etag: found.etag, detail: 'the lock is not JSON' }
  }
}

function toHolder(lock: LockObject): LockHolder {
  return {
    pid: lock.pid,
    hostname: lock.hostname,
    owner: lock.owner,
    acquiredAt: lock.acquiredAt,
    leaseExpiresAt: lock.expiresAt,
  }
}
