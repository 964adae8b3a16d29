/** An object store in memory with S3's conditional semantics: several "machines" in one test share one. */
import { randomBytes } from 'node:crypto'
import { ObjectConditionFailedError } from './errors.ts'
import type { ObjectStore, StoredObject, WriteCondition } from './object-store.ts'

export interface MemoryObjectStore extends ObjectStore {
  /** The objects as stored now (key → body). */
  snapshot(): Map<string, string>
}

export function createMemoryObjectStore(name = 'memory'): MemoryObjectStore {
  const objects = new Map<string, StoredObject>()
  const location = `memory://${name}/`
  return {
    location,
    snapshot: () => new Map([...objects].map(([k, v]) => [k, v.body])),
    async get(key) {
      const found = objects.get(key)
      return found && { ...found }
    },
    async put(key, body, condition: WriteCondition = {}) {
      const current = objects.get(key)
      if ('ifNoneMatch' in condition && current) throw new ObjectConditionFailedError(location, key)
      if ('ifMatch' in condition && current?.etag !== condition.ifMatch)
        throw new ObjectConditionFailedError(location, key)
      const etag = `"${randomBytes(8).toString('hex')}"`
      objects.set(key, { body, etag })
      return etag
    },
    async delete(key, condition = {}) {
      const current = objects.get(key)
      if (condition.ifMatch !== undefined && current && current.etag !== condition.ifMatch)
        throw new ObjectConditionFailedError(location, key)
      objects.delete(key)
    },
    async list(prefix) {
      return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort()
    },
    async check() {},
    async close() {},
  }
}
