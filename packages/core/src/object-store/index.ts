/** Shared run state, lock and release records on S3-compatible object storage. */
export {
  ObjectConditionFailedError,
  StaleRunStateError,
  StateStoreUnavailableError,
  type StoreProblem,
} from './errors.ts'
export {
  type FaultHook,
  type FaultyObjectStore,
  type ObjectOperation,
  unreachable,
  withFaults,
} from './faulty-object-store.ts'
export { JOBS_PREFIX, jobKey, jobsInListing } from './job-keys.ts'
export {
  acquireLeaseLock,
  breakLeaseLock,
  DEFAULT_LEASE_MS,
  type LeaseLockOptions,
  readLeaseHolder,
} from './lease-lock.ts'
export { createMemoryObjectStore, type MemoryObjectStore } from './memory-object-store.ts'
export { createObjectReleaseRecords } from './object-release-records.ts'
export { type ObjectRunStorageOptions, objectRunStorage } from './object-run-storage.ts'
export { createObjectStateStore } from './object-state-store.ts'
export type { ObjectStore, StoredObject, WriteCondition } from './object-store.ts'
export { type OpenStateStoreOptions, openObjectStore, openStateStore } from './open-state-store.ts'
export { createS3ObjectStore, type S3StoreOptions } from './s3-object-store.ts'
export { formatStoreUrl, parseStoreUrl, type StoreUrl } from './store-url.ts'
