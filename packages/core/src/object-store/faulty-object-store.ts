/**
 * Wraps any object store so a test can make chosen requests fail the way an unreachable or failing server
 * would, before they take effect, and see which requests were made.
 */
import { StateStoreUnavailableError } from './errors.ts'
import type { ObjectStore } from './object-store.ts'

export type ObjectOperation = 'get' | 'put' | 'delete' | 'list' | 'check'

/** Return an error to fail this request, or undefined to let it through. */
export type FaultHook = (operation: ObjectOperation, key: string) => Error | undefined

export interface FaultyObjectStore extends ObjectStore {
  faults: FaultHook | undefined
  /** Requests made, in order, as `operation key`. */
  readonly requests: string[]
}

export function withFaults(inner: ObjectStore): FaultyObjectStore {
  const store: FaultyObjectStore = {
    location: inner.location,
    faults: undefined,
    requests: [],
    get: (key) => enter('get', key).then(() => inner.get(key)),
    put: (key, body, condition) => enter('put', key).then(() => inner.put(key, body, condition)),
    delete: (key, condition) => enter('delete', key).then(() => inner.delete(key, condition)),
    list: (prefix) => enter('list', prefix).then(() => inner.list(prefix)),
    check: () => enter('check', '').then(() => inner.check()),
    close: () => inner.close(),
  }
  async function enter(operation: ObjectOperation, key: string) {
    store.requests.push(`${operation} ${key}`)
    const fault = store.faults?.(operation, key)
    if (fault) throw fault
  }
  return store
}

/** The error the S3 store gives once its server stayed unreachable through the retries. */
export function unreachable(location: string, operation = 'be reached'): StateStoreUnavailableError {
  return new StateStoreUnavailableError({
    location,
    operation,
    problem: 'unreachable',
    detail: 'connect ECONNREFUSED (injected)',
  })
}
