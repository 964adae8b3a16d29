/** Verification of a running job: pluggable checks with deadlines and evidence. */
export {
  type CaughtUpOptions,
  caughtUp,
  DEFAULT_CAUGHT_UP_MAX_PENDING,
  DEFAULT_CAUGHT_UP_WINDOW_MS,
} from './caught-up.ts'
export type { Check, CheckContext, CheckResult } from './check.ts'
export {
  backpressureNotHigh,
  type CustomVerdict,
  customCheck,
  recordsFlowing,
  sourceVertices,
  watermarksAdvance,
} from './flow-checks.ts'
export {
  allVerticesRunning,
  checkpointsAfterRestore,
  type RestoredFromSavepointOptions,
  restoredFromSavepoint,
  type StableForOptions,
  stableFor,
} from './job-checks.ts'
export { normaliseSnapshotPath, sameSnapshotPath } from './paths.ts'
export { type Observation, type PollOptions, pollCheck } from './poll.ts'
export {
  type ChecksOutcome,
  DEFAULT_STABILISATION_MS,
  type DefaultChecksOptions,
  defaultChecks,
  type RunChecksOptions,
  runChecks,
} from './run-checks.ts'
