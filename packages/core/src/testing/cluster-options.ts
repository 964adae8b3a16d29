/**
 * Settings of a fake Flink session cluster. Everything has a default tuned for fast tests: a job is RUNNING
 * within about 50 ms and checkpoints every 100 ms.
 */

/** How long the fake's asynchronous behaviour takes, in milliseconds. */
export interface FakeTiming {
  /** INITIALIZING → CREATED after submission. */
  initializeMs: number
  /** CREATED → RUNNING once slots are available. */
  scheduleMs: number
  /** Each task step CREATED → SCHEDULED → DEPLOYING → INITIALIZING → RUNNING. */
  taskStepMs: number
  /** Periodic checkpoint interval while every task runs; 0 disables periodic checkpoints. */
  checkpointIntervalMs: number
  /** How long one checkpoint takes. */
  checkpointDurationMs: number
  /** How long a savepoint or a stop-with-savepoint takes. */
  savepointMs: number
  /** CANCELLING → CANCELED. */
  cancelMs: number
  /** RESTARTING → RUNNING after a task failure. */
  restartDelayMs: number
  /** Savepoint disposal and data set deletion. */
  disposalMs: number
  /** How long one second of the default program's arguments lasts (`--fail-after 1`). */
  programSecondMs: number
  /** A job waits this long for slots before it fails with NoResourceAvailableException (Flink: 5 minutes). */
  slotRequestTimeoutMs: number
  /** How long asynchronous operation results are kept (rest.async.store-duration, Flink: 5 minutes). */
  asyncStoreMs: number
}

export const DEFAULT_TIMING: FakeTiming = {
  initializeMs: 10,
  scheduleMs: 15,
  taskStepMs: 5,
  checkpointIntervalMs: 100,
  checkpointDurationMs: 10,
  savepointMs: 30,
  cancelMs: 15,
  restartDelayMs: 30,
  disposalMs: 10,
  programSecondMs: 1000,
  slotRequestTimeoutMs: 300_000,
  asyncStoreMs: 300_000,
}

/** What the fake pretends a jar's main() does. */
export interface FakeProgram {
  /** Main-Class of the manifest (the jar list's `entry`). Default `dev.flinkdeploy.example.StatefulCounterJob`. */
  entryClass?: string
  /**
   * The name the program gives its job: a string, or a function of the program arguments. Default: the
   * `pipeline.name` of flinkConfiguration, else the value after `--job-name` / `--name` in the arguments,
   * else "Flink Streaming Job".
   */
  jobName?: string | ((args: readonly string[]) => string)
  /**
   * Operator chain names, source first. Their ids are derived from the names, so they are stable across jobs.
   * Default: the example job's topology (`Source: events`, `counter -> discard: Writer`, with the real vertex
   * ids), whose arguments (`--release`, `--rate`, `--fail-after`, `--topology incompatible`, `--restart-attempts`,
   * `--name`) behave as in examples/flink-job.
   */
  vertices?: string[]
  /** Index in `vertices` of the stateful operator whose `stateCount` grows. Default 1 (or 0 with one vertex). */
  statefulVertex?: number
  /** main() throws this instead of submitting a job: the run answers 400 "Could not execute application.". */
  failOnRun?: { className: string; message: string }
}

export type FlinkVersionString = '1.20.5' | '2.3.0' | (string & {})

export interface FakeFlinkOptions {
  /** Flink version to imitate; response shapes follow it. Default '1.20.5'. */
  version?: FlinkVersionString
  /** Number of TaskManagers. Default 1. */
  taskManagers?: number
  /** Slots per TaskManager. Default 4. */
  slotsPerTaskManager?: number
  /** Default job parallelism (parallelism.default). Default 1. */
  defaultParallelism?: number
  /** execution.checkpointing.savepoint-dir; null = unset, so savepoints need a target directory. Default file:/tmp/fake-flink/savepoints. */
  savepointDir?: string | null
  /** web.submit.enable: when false the /jars routes are not served. Default true. */
  webSubmit?: boolean
  /** The scheduler; only 'Adaptive' accepts PUT /jobs/:jobid/resource-requirements. Default 'Default'. */
  scheduler?: 'Default' | 'Adaptive'
  /** web.upload.dir is set: uploaded jars survive a JobManager restart. Default false. */
  keepJarsOnRestart?: boolean
  /** State counter growth per second of RUNNING time, unless the program's `--rate` says otherwise. Default 1000. */
  stateGrowthPerSecond?: number
  /** Cluster restart strategy for failing tasks: fixed-delay attempts (restartDelayMs apart). Default 2. */
  restartAttempts?: number
  /** Programs by jar file name (e.g. 'my-job.jar'); other jars run the default program. */
  programs?: Record<string, FakeProgram>
  /** Extra or overriding JobManager configuration entries. */
  config?: Record<string, string>
  /**
   * Where savepoints and checkpoints are kept, by path. Give two fakes the same map and they share it, as two
   * clusters share an S3 bucket: a savepoint one takes, the other restores. Default: the cluster's own.
   */
  storage?: Map<string, Snapshot>
  /**
   * URI schemes the JobManager has a file system for (a path without one is `file`); a savepoint elsewhere
   * fails as Flink does without the plugin. Default: every scheme.
   */
  fileSystems?: string[]
  /**
   * How long the routes Flink answers from its REST caches keep answering the same (ms): the job's details,
   * exceptions, vertices, subtasks, configs and plan (the ExecutionGraphCache, `web.refresh-interval`, 3 s in
   * Flink) and its checkpoint statistics (`rest.cache.checkpoint-statistics.timeout`, the same by default).
   * The jobs overview, the job status, and asynchronous operations' status are never cached. Default 0: every
   * answer is fresh.
   */
  restCacheMs?: number
  timing?: Partial<FakeTiming>
}

export const DEFAULT_SAVEPOINT_DIR = 'file:/tmp/fake-flink/savepoints'
export const CHECKPOINT_DIR = 'file:/tmp/fake-flink/checkpoints'
export const DEFAULT_ENTRY_CLASS = 'dev.flinkdeploy.example.StatefulCounterJob'

/** A completed checkpoint or savepoint that a job can be started from. */
export interface Snapshot {
  path: string
  jobId: string
  checkpointId: number
  isSavepoint: boolean
  /** The state counter captured in the snapshot. */
  stateCount: number
  /** JobVertexIDs that hold state in the snapshot. */
  operatorIds: string[]
  timestamp: number
}
