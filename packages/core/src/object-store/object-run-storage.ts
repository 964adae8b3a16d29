/**
 * A job's run state, release records and lock on a shared object store, so `resume`, `status`, `promote`,
 * `reject` and rollbacks work from any machine that points at the same store.
 */
import { type HandoverObjectStore, localHandoverObject } from '../store/handover-object.ts'
import type { RunStorage } from '../store/run-storage.ts'
import { jobKey } from './job-keys.ts'
import { acquireLeaseLock, breakLeaseLock, type LeaseLockOptions } from './lease-lock.ts'
import { createObjectReleaseRecords } from './object-release-records.ts'
import { createObjectStateStore } from './object-state-store.ts'
import type { ObjectStore } from './object-store.ts'

export interface ObjectRunStorageOptions {
  /** The job name (or id) whose run this is. */
  job: string
  /** The lease of the lock (default 60 s). */
  leaseMs?: number
  /** How the user breaks a lock by hand, for the message of a refused run. */
  unlockHint?: string
}

export function objectRunStorage(objects: ObjectStore, options: ObjectRunStorageOptions): RunStorage {
  const state = createObjectStateStore(objects, jobKey(options.job, 'run.json'))
  return {
    location: state.location,
    state,
    releases: createObjectReleaseRecords(objects),
    lock: (lock: Pick<LeaseLockOptions, 'owner'> = {}) =>
      acquireLeaseLock(objects, jobKey(options.job, 'lock.json'), {
        ...lock,
        ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
        ...(options.unlockHint ? { remedy: options.unlockHint } : {}),
      }),
    handover: (location) =>
      objectHandover(objects, location ?? `${objects.location}${jobKey(options.job, 'handover.json')}`),
    breakLock: () => breakLeaseLock(objects, jobKey(options.job, 'lock.json')),
    // The store is borrowed: whoever opened it closes it (several jobs may share one).
    close: async () => {},
  }
}

/** A location inside the store's bucket and prefix is written with one PUT (atomic on S3); a file: one as a file. */
function objectHandover(objects: ObjectStore, location: string): HandoverObjectStore {
  if (!location.startsWith(objects.location)) return localHandoverObject(location)
  const key = location.slice(objects.location.length)
  return {
    url: location,
    write: async (object) => {
      await objects.put(key, `${JSON.stringify(object)}\n`)
    },
  }
}
