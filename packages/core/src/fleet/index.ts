/** Many jobs from one manifest: plan what would change, then apply it in waves. */
export {
  type AppliedStatus,
  type ApplyRuntime,
  appliedRows,
  apply,
  type FleetResult,
  type JobApplied,
} from './apply.ts'
export { upgradeOptionsOf } from './job-options.ts'
export { type LoadedManifest, loadManifest, ManifestInvalidError } from './load-manifest.ts'
export {
  type Manifest,
  type ManifestJob,
  ManifestJobSchema,
  ManifestSchema,
  resolvedJobs,
} from './manifest.ts'
export { type FleetPlan, type FleetRuntime, type JobPlan, type PlannedAction, plan } from './plan.ts'
