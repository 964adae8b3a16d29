/**
 * The run state as one object, written after every transition with optimistic concurrency: each write
 * names the version this process last read or wrote, so a stale writer (a run whose lease was taken over)
 * is refused instead of overwriting the newer run.
 */
import { PersistedRunSchema, parseVersionedJson, validateForWrite } from '../store/file-state-store.ts'
import type { StateStore } from '../store/state-store.ts'
import { ObjectConditionFailedError, StaleRunStateError } from './errors.ts'
import type { ObjectStore, WriteCondition } from './object-store.ts'

export function createObjectStateStore(objects: ObjectStore, key: string): StateStore {
  const location = `${objects.location}${key}`
  // undefined: never looked; null: known to be absent.
  let etag: string | null | undefined
  return {
    location,
    async read() {
      const found = await objects.get(key)
      etag = found?.etag ?? null
      if (!found) return undefined
      return parseVersionedJson(found.body, { path: location, what: 'run state', schema: PersistedRunSchema })
    },
    async write(run) {
      const body = `${JSON.stringify(validateForWrite(run, location), null, 2)}\n`
      const condition: WriteCondition = etag ? { ifMatch: etag } : { ifNoneMatch: '*' }
      try {
        etag = await objects.put(key, body, condition)
      } catch (error) {
        if (!(error instanceof ObjectConditionFailedError)) throw error
        // An earlier write that failed on our side may have landed: then the stored object is ours.
        const now = await objects.get(key)
        if (now?.body !== body) throw new StaleRunStateError(location)
        etag = now.etag
      }
    },
    async clear() {
      try {
        await objects.delete(key, etag ? { ifMatch: etag } : {})
        etag = null
      } catch (error) {
        if (error instanceof ObjectConditionFailedError) throw new StaleRunStateError(location)
        throw error
      }
    },
  }
}
