/**
 * @flink-deploy/core: a typed client for the Flink JobManager REST API, and upgrades of stateful jobs
 * that never lose a savepoint. `@flink-deploy/core/testing` has the fake Flink for tests.
 */
export { createFlinkClient, type FlinkClient } from './client/flink-client.ts'
export type { ClientOptions } from './client/options.ts'
export * from './errors.ts'
export * from './fleet/index.ts'
export { blueGreenMachine } from './machines/blue-green.ts'
export { toMermaid } from './machines/diagram.ts'
export { stopAndRestartMachine } from './machines/stop-and-restart.ts'
export type { Outcome } from './machines/upgrade-context.ts'
export type { UpgradeEmitted as UpgradeEvent } from './machines/upgrade-setup.ts'
export * from './object-store/index.ts'
export { loadS3Sdk, type S3Sdk } from './object-store/s3-sdk.ts'
export { REDACTED, redact, redactConfiguration, registerSecret, SENSITIVE_CONFIG_KEY } from './redact.ts'
export {
  formatBytes,
  formatCheck,
  formatEvent,
  formatMs,
  formatProgress,
  formatResult,
  resultRows,
  STEP_TITLES,
  stepTitle,
} from './report/format.ts'
export { PROGRESS_LOG_MS, ProgressLogRate } from './report/progress-log.ts'
export * from './retention/index.ts'
export * from './settings/index.ts'
export { isTerminal } from './steps/cancel-job.ts'
export type { Progress, RestoreProgress, SavepointProgress } from './steps/progress.ts'
export * from './store/index.ts'
export { type ApplyTrace, traceApply } from './trace/apply-trace.ts'
export type { RunTrace, RunTraceInfo } from './trace/run-trace.ts'
export { startTracing, type Tracing, type TracingOptions, tracingRequested } from './trace/tracing.ts'
export type { NotifyOptions, ResolvedUpgradeOptions, Strategy, UpgradeOptions } from './upgrade/options.ts'
export { UpgradeOptionsSchema } from './upgrade/options.ts'
export type { UpgradeResult } from './upgrade/result.ts'
export { type RunSummary, summariseRun } from './upgrade/run-summary.ts'
export { promote, reject, resume, type UpgradeRuntime, upgrade } from './upgrade/run-upgrade.ts'
export { describeJobState, type RunningJob } from './upgrade/running-job.ts'
export * from './verify/index.ts'
export { fullyRunning } from './verify/job-overview.ts'
