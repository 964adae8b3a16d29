/** Savepoint retention: list the savepoints flink-deploy took of a job, and prune old ones through Flink. */
export { type PruneOptions, type PruneResult, pruneSavepoints } from './prune.ts'
export {
  type ListedSavepoint,
  listSavepoints,
  type Protection,
  type SavepointInventory,
  type SavepointStorage,
} from './savepoint-list.ts'
export { localPathOf, savepointOnDisk } from './savepoint-size.ts'
export {
  checkRules,
  type KeptBecause,
  type RetentionRules,
  type Selection,
  selectForPruning,
} from './select.ts'
