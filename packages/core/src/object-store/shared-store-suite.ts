/**
 * The behaviour shared run state relies on, run against the in-memory store (here) and the real S3 server
 * (test/object-store), so the fast one is trusted only as far as the real one agrees.
 *
 * `open()` gives a new client of the same store each time: two clients are two machines.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { UpgradeLockedError, UpgradeLockLostError } from '../store/errors.ts'
import { ObjectConditionFailedError, StaleRunStateError } from './errors.ts'
import { unreachable, withFaults } from './faulty-object-store.ts'
import { jobKey } from './job-keys.ts'
import { acquireLeaseLock, breakLeaseLock, readLeaseHolder } from './lease-lock.ts'
import { createObjectStateStore } from './object-state-store.ts'
import type { ObjectStore } from './object-store.ts'

const run = (n: number) => ({
  formatVersion: 1 as const,
  machine: 'stop-and-restart',
  machineVersion: 1,
  runId: `run-${n}`,
  snapshot: { n },
  updatedAt: new Date().toISOString(),
})

export function sharedStoreSuite(name: string, open: () => Promise<ObjectStore>): void {
  const job = () => `orders-${randomBytes(4).toString('hex')}`

  describe(`${name}: conditional writes`, () => {
    it('creates only if absent, replaces only the version read, deletes only that version', async () => {
      const store = await open()
      const key = `probe/${job()}`
      const first = await store.put(key, 'a', { ifNoneMatch: '*' })
      await expect(store.put(key, 'b', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
        ObjectConditionFailedError,
      )
      await expect(store.put(key, 'b', { ifMatch: '"0000"' })).rejects.toBeInstanceOf(
        ObjectConditionFailedError,
      )
      const second = await store.put(key, 'b', { ifMatch: first })
      expect(await store.get(key)).toEqual({ body: 'b', etag: second })
      await expect(store.delete(key, { ifMatch: first })).rejects.toBeInstanceOf(ObjectConditionFailedError)
      await store.delete(key, { ifMatch: second })
      expect(await store.get(key)).toBeUndefined()
      expect(await store.list('probe/')).not.toContain(key)
    })
  })

  describe(`${name}: run state`, () => {
    it('a stale writer is refused and the newer run stays', async () => {
      const key = jobKey(job(), 'run.json')
      const [a, b] = [createObjectStateStore(await open(), key), createObjectStateStore(await open(), key)]
      expect(await a.read()).toBeUndefined()
      await a.write(run(1))
      expect((await b.read())?.runId).toBe('run-1')
      await b.write(run(2))
      await expect(a.write(run(3))).rejects.toBeInstanceOf(StaleRunStateError)
      expect((await a.read())?.runId).toBe('run-2')
      // Having read the newer run, A may write again.
      await a.write(run(4))
      expect((await b.read())?.runId).toBe('run-4')
    })

    it('two writers that both found no run: only one creates it', async () => {
      const key = jobKey(job(), 'run.json')
      const [a, b] = [createObjectStateStore(await open(), key), createObjectStateStore(await open(), key)]
      await Promise.all([a.read(), b.read()])
      const results = await Promise.allSettled([a.write(run(1)), b.write(run(2))])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(results.find((r) => r.status === 'rejected')?.reason).toBeInstanceOf(StaleRunStateError)
    })
  })

  describe(`${name}: lease lock`, () => {
    it('a second run is refused with the holder: owner, host, since when, lease expiry', async () => {
      const key = jobKey(job(), 'lock.json')
      const lock = await acquireLeaseLock(await open(), key, { owner: 'runner A', leaseMs: 30_000 })
      const refused = await acquireLeaseLock(await open(), key, { owner: 'runner B' }).catch(
        (e: unknown) => e,
      )
      expect(refused).toBeInstanceOf(UpgradeLockedError)
      const error = refused as UpgradeLockedError
      expect(error.holder).toMatchObject({
        owner: 'runner A',
        pid: process.pid,
        acquiredAt: lock.holder.acquiredAt,
      })
      expect(Date.parse(error.holder!.leaseExpiresAt!)).toBeGreaterThan(Date.now() + 20_000)
      expect(error.message).toContain('runner A')
      expect(error.message).toContain(`lease expires at ${error.holder!.leaseExpiresAt}`)
      await lock.release()
      const next = await acquireLeaseLock(await open(), key, { owner: 'runner B' })
      expect(next.tookOverFrom).toBeUndefined()
      await next.release()
    })

    it('the holder renews its lease while it runs, so it never expires under it', async () => {
      const store = await open()
      const key = jobKey(job(), 'lock.json')
      const lock = await acquireLeaseLock(store, key, { owner: 'A', leaseMs: 900 })
      const first = (await readLeaseHolder(store, key))!.leaseExpiresAt!
      await sleep(2_000)
      const later = (await readLeaseHolder(store, key))!.leaseExpiresAt!
      expect(Date.parse(later)).toBeGreaterThan(Date.parse(first) + 1_000)
      await expect(acquireLeaseLock(await open(), key, { owner: 'B' })).rejects.toBeInstanceOf(
        UpgradeLockedError,
      )
      expect(lock.lost.aborted).toBe(false)
      await lock.release()
    })

    it('an expired lease is taken over; the old holder learns it lost the lock', async () => {
      const key = jobKey(job(), 'lock.json')
      const aStore = withFaults(await open())
      const a = await acquireLeaseLock(aStore, key, { owner: 'A', leaseMs: 600 })
      // A's machine loses the network: it cannot renew.
      aStore.faults = (op) => (op === 'put' ? unreachable(aStore.location) : undefined)
      await expect(acquireLeaseLock(await open(), key, { owner: 'B' })).rejects.toBeInstanceOf(
        UpgradeLockedError,
      )
      await expect.poll(() => a.lost.aborted, { timeout: 3_000, interval: 50 }).toBe(true)
      expect(a.lost.reason).toBeInstanceOf(UpgradeLockLostError)
      const b = await acquireLeaseLock(await open(), key, { owner: 'B', leaseMs: 30_000 })
      expect(b.tookOverFrom).toMatchObject({ owner: 'A' })
      // A's release must not remove B's lock.
      aStore.faults = undefined
      await a.release()
      expect((await readLeaseHolder(await open(), key))?.owner).toBe('B')
      await b.release()
    })

    it('a holder whose lock was taken over loses it at its next renewal', async () => {
      const key = jobKey(job(), 'lock.json')
      const a = await acquireLeaseLock(await open(), key, { owner: 'A', leaseMs: 900 })
      expect(await breakLeaseLock(await open(), key)).toMatchObject({ owner: 'A' })
      const b = await acquireLeaseLock(await open(), key, { owner: 'B', leaseMs: 30_000 })
      await expect.poll(() => a.lost.aborted, { timeout: 3_000, interval: 50 }).toBe(true)
      expect(String(a.lost.reason)).toContain('another run took it over')
      await a.release()
      expect((await readLeaseHolder(await open(), key))?.owner).toBe('B')
      await b.release()
    })

    it('of several runs racing for an expired lease exactly one wins', async () => {
      const key = jobKey(job(), 'lock.json')
      const store = await open()
      const expired = {
        formatVersion: 1,
        owner: 'gone',
        hostname: 'vanished-runner',
        pid: 4242,
        token: 'old',
        acquiredAt: new Date(Date.now() - 120_000).toISOString(),
        renewedAt: new Date(Date.now() - 70_000).toISOString(),
        expiresAt: new Date(Date.now() - 10_000).toISOString(),
      }
      await store.put(key, JSON.stringify(expired))
      const contenders = await Promise.all([1, 2, 3, 4].map(() => open()))
      const results = await Promise.allSettled(
        contenders.map((s, i) => acquireLeaseLock(s, key, { owner: `runner ${i}`, leaseMs: 30_000 })),
      )
      const winners = results.filter((r) => r.status === 'fulfilled')
      expect(winners).toHaveLength(1)
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(UpgradeLockedError)
      const won = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLeaseLock>>>).value
      expect(won.tookOverFrom).toMatchObject({ owner: 'gone', hostname: 'vanished-runner' })
      await won.release()
    })
  })
}
