/**
 * `@flink-deploy/core/testing`: a fake Flink session cluster for testing deployment scripts without Flink.
 *
 * - {@link startFakeFlink} runs it inside the test process (undici requests are intercepted by msw);
 * - {@link serveFakeFlink} serves it on a real loopback port (HTTP or HTTPS, for TLS tests and child processes).
 *
 * Both answer like Flink's JobManager REST API (1.20 or 2.x shapes), move jobs through realistic states on
 * timers, take checkpoints and savepoints that carry a growing `stateCount`, and accept injected faults.
 * {@link startWebhookReceiver} is a webhook on loopback for tests of notifications.
 * Needs the optional peer dependencies `msw` and `@mswjs/interceptors`.
 */
export type { AsyncResult, FakeDataset, FakeJar, FakeTaskManager, RunRequest } from './cluster-model.ts'
export { FakeFlinkCluster } from './cluster-model.ts'
export type {
  FakeFlinkOptions,
  FakeProgram,
  FakeTiming,
  FlinkVersionString,
  Snapshot,
} from './cluster-options.ts'
export { DEFAULT_TIMING } from './cluster-options.ts'
export type { FakeFlinkBase } from './fake-flink.ts'
export type { RecordedRequest } from './fake-flink-endpoint.ts'
export type {
  CheckpointRecord,
  ExceptionRecord,
  ExecutionState,
  FakeJob,
  FakeVertex,
  JobStatus,
  RestoreRecord,
} from './fake-job.ts'
export type { FaultOptions, MalformedKind, RequestMatcher } from './faults.ts'
export { FakeFlinkFaults } from './faults.ts'
export { createFlinkHandlers } from './handlers.ts'
export { type InProcessFakeFlink, startFakeFlink } from './in-process.ts'
export type { JavaException } from './java-errors.ts'
export {
  type LoopbackFakeFlink,
  type LoopbackFakeFlinkOptions,
  type LoopbackTlsOptions,
  serveFakeFlink,
} from './loopback-server.ts'
export {
  deadWebhookUrl,
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from './webhook-receiver.ts'
