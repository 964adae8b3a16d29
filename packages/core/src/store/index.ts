/** Where an upgrade keeps its state: the state store, the release records and the upgrade lock. */

export { readFileIfExists, removeFile, writeFileAtomic } from './atomic-file.ts'
export {
  type LockHolder,
  StateFileInvalidError,
  type StateFileProblem,
  StateStoreIoError,
  UpgradeLockedError,
  UpgradeLockLostError,
} from './errors.ts'
export {
  CURRENT_FORMAT_VERSION,
  createFileStateStore,
  createMemoryStateStore,
  PersistedRunSchema,
} from './file-state-store.ts'
export {
  fileHandoverObject,
  type HandoverObject,
  type HandoverObjectStore,
  localHandoverObject,
} from './handover-object.ts'
export {
  type AcquireLockOptions,
  acquireLock,
  breakLock,
  defaultOwner,
  readLockHolder,
  type UpgradeLock,
} from './lock.ts'
export {
  createFileReleaseRecords,
  createMemoryReleaseRecords,
  MEASURED_DOWNTIMES_KEPT,
  type MeasuredDowntime,
  MeasuredDowntimeSchema,
  type ReleaseRecord,
  ReleaseRecordSchema,
  type ReleaseRecordStore,
  readReleaseRecord,
  releaseRecordPath,
  type TakenSavepoint,
  TakenSavepointSchema,
  writeReleaseRecord,
} from './release-record.ts'
export type { RunLock } from './run-lock.ts'
export { fileRunStorage, memoryRunStorage, type RunStorage } from './run-storage.ts'
export type { PersistedRun, StateStore } from './state-store.ts'
