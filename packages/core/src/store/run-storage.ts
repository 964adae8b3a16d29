/**
 * Everything an upgrade keeps beyond one process, for one job: the run state, the release records and the
 * lock. Local files by default; a shared object store (`object-store/`) for runs that move between machines.
 */
import { dirname, join, resolve } from 'node:path'
import { InvalidArgumentError } from '../errors.ts'
import type { LockHolder } from './errors.ts'
import { createFileStateStore, createMemoryStateStore } from './file-state-store.ts'
import { type HandoverObjectStore, localHandoverObject } from './handover-object.ts'
import { acquireLock, breakLock } from './lock.ts'
import {
  createFileReleaseRecords,
  createMemoryReleaseRecords,
  type ReleaseRecordStore,
} from './release-record.ts'
import type { RunLock } from './run-lock.ts'
import type { StateStore } from './state-store.ts'

export interface RunStorage {
  /** Where the run state lives, for messages ("file /x/orders.json", "s3://b/p/jobs/orders/run.json"). */
  readonly location: string
  readonly state: StateStore
  readonly releases: ReleaseRecordStore
  lock(options?: { owner?: string }): Promise<RunLock>
  /**
   * The hand-over object of an exactly-once blue-green: at `location` when given (it must be reachable
   * through this storage), else beside the run state. Undefined when the storage has no place both jobs read.
   */
  handover?(location?: string): HandoverObjectStore
  /** An operator's unlock: removes the lock whoever holds it, and says who did. */
  breakLock(): Promise<LockHolder | undefined>
  /** Frees connections; the stored data stays. */
  close(): Promise<void>
}

/** `<file>`, `<file>.lock`, and release records in `releases/` beside the file. */
export function fileRunStorage(stateFile: string): RunStorage {
  const file = resolve(stateFile)
  return {
    location: `file ${file}`,
    state: createFileStateStore(file),
    releases: createFileReleaseRecords(join(dirname(file), 'releases')),
    lock: (options) => acquireLock(`${file}.lock`, options),
    handover: (location) => localHandoverObject(location ?? file.replace(/(\.json)?$/, '.handover.json')),
    breakLock: () => breakLock(`${file}.lock`),
    close: async () => {},
  }
}

/** Nothing outlives the process: no lock is needed, since nothing else can see the run. */
export function memoryRunStorage(): RunStorage {
  const never = new AbortController().signal
  return {
    location: 'memory',
    state: createMemoryStateStore(),
    releases: createMemoryReleaseRecords(),
    lock: async () => ({
      location: 'memory',
      holder: {
        pid: process.pid,
        hostname: 'memory',
        owner: 'this process',
        acquiredAt: new Date().toISOString(),
      },
      lost: never,
      release: async () => {},
    }),
    handover: (location) => {
      if (location) return localHandoverObject(location)
      throw new InvalidArgumentError(
        'handoverPath',
        'the hand-over needs a place both jobs read: give handoverPath, a state file or a state store',
      )
    },
    breakLock: async () => undefined,
    close: async () => {},
  }
}
