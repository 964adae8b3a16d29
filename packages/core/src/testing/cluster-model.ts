/**
 * An in-memory Flink session cluster: TaskManagers with slots, uploaded jars, jobs run from them, the
 * asynchronous operations of the REST API (savepoint, stop, checkpoint, disposal, data set deletion) and
 * what a JobManager restart loses. The HTTP handlers read and change it; tests can too.
 */

import {
  CHECKPOINT_DIR,
  DEFAULT_ENTRY_CLASS,
  DEFAULT_SAVEPOINT_DIR,
  DEFAULT_TIMING,
  type FakeFlinkOptions,
  type FakeProgram,
  type FakeTiming,
  type Snapshot,
} from './cluster-options.ts'
import {
  EXAMPLE_METRIC_SCOPE,
  EXAMPLE_VERTICES,
  type ExampleArgs,
  ProgramArgumentError,
  parseExampleArgs,
  simulatedBadRelease,
} from './example-program.ts'
import { type CheckpointRecord, FakeJob, type JobHost, type JobSpec } from './fake-job.ts'
import { randomHex, randomHex32, stableHex32, uuid } from './ids.ts'
import {
  failureCause,
  internalServerError,
  type JavaException,
  notFoundError,
  restHandlerError,
} from './java-errors.ts'
import { FakeTimers } from './timers.ts'

export interface FakeJar {
  id: string
  name: string
  uploaded: number
  size: number
  program: FakeProgram
}

export interface FakeTaskManager {
  id: string
  index: number
  host: string
  rpcPort: number
  dataPort: number
  slots: number
}

export interface FakeDataset {
  id: string
  isComplete: boolean
}

export type AsyncResult =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; value: Record<string, unknown>; completedAt: number }

interface AsyncOperation {
  result: AsyncResult
}

/** Settings of a jar run, as the handlers parsed them from the body and query. */
export interface RunRequest {
  entryClass?: string
  programArgs: string[]
  parallelism?: number
  jobId?: string
  savepointPath?: string
  allowNonRestoredState: boolean
  claimMode: 'CLAIM' | 'NO_CLAIM' | 'LEGACY'
  flinkConfiguration: Record<string, string>
}

/** A savepoint or stop that should fail instead of completing. */
export interface SavepointFailureRule {
  remaining: number
  jobId?: string
  exception: JavaException
  /** Report it wrapped in java.util.concurrent.CompletionException, as Flink often does. */
  wrapped: boolean
  /**
   * The snapshot throws in the task, as Flink 2.x does for a canonical savepoint of an operator on async state:
   * the task fails and the job restarts ('restart') or, with no restart left, fails ('fail'). The operation
   * then answers with what the coordinator saw, not the task's exception, which only the exception history holds.
   */
  failsTask?: 'restart' | 'fail'
}

/** A job (or the next jobs) that fail some time after every task is RUNNING. */
export interface JobFailureRule {
  remaining: number
  match: (job: FakeJob) => boolean
  afterRunningMs: number
  restarts: number
  exception: JavaException
}

export interface VersionInfo {
  raw: string
  major: number
  minor: number
  atLeast(major: number, minor: number): boolean
}

function parseVersion(raw: string): VersionInfo {
  const [major = 1, minor = 20] = raw.split('.').map((p) => Number.parseInt(p, 10))
  return { raw, major, minor, atLeast: (ma, mi) => major > ma || (major === ma && minor >= mi) }
}

const NOT_ALL_RUNNING: JavaException = {
  className: 'org.apache.flink.runtime.checkpoint.CheckpointException',
  message: 'Not all required tasks are currently running.',
}

export class FakeFlinkCluster {
  readonly version: VersionInfo
  readonly timing: FakeTiming
  readonly options: Readonly<
    Required<
      Omit<FakeFlinkOptions, 'timing' | 'programs' | 'config' | 'savepointDir' | 'storage' | 'fileSystems'>
    >
  > & {
    savepointDir: string | null
  }
  readonly taskManagers: FakeTaskManager[]
  readonly startedAt = Date.now()
  /** Bumped by each JobManager restart. */
  jobManagerGeneration = 0
  /** False while the JobManager is down (restart fault) or after DELETE /cluster. */
  up = true
  readonly revision = 'b1a2c3d @ 2026-03-02T10:11:12+01:00'
  readonly savepointFailures: SavepointFailureRule[] = []
  readonly jobFailures: JobFailureRule[] = []
  /**
   * The backlog of a job's sources (FLIP-27 `pendingRecords`, summed over the subtasks of the first vertex),
   * or undefined for a job whose sources do not report one (the example job's generator source). A test sets
   * it to model a Kafka source catching up, or falling behind.
   */
  sourceBacklog: (job: FakeJob) => number | undefined = () => undefined
  /**
   * Whether a job's sources are legacy SourceFunctions (`env.addSource`), which report none of the FLIP-27
   * source metrics (`sourceIdleTime`). By default they are FLIP-27 sources, as the example job's generator is.
   */
  legacySources: (job: FakeJob) => boolean = () => false

  readonly #programs = new Map<string, FakeProgram>()
  readonly #config: Record<string, string>
  readonly #jars = new Map<string, FakeJar>()
  readonly #jobs = new Map<string, FakeJob>()
  readonly #snapshots: Map<string, Snapshot>
  readonly #fileSystems: ReadonlySet<string> | undefined
  readonly #datasets = new Map<string, FakeDataset>()
  /** Savepoint and stop share one cache keyed by (jobId, triggerId), like Flink's. */
  readonly #savepointOps = new Map<string, AsyncOperation>()
  readonly #checkpointOps = new Map<string, AsyncOperation>()
  readonly #disposalOps = new Map<string, AsyncOperation>()
  readonly #datasetOps = new Map<string, AsyncOperation>()
  readonly #timers = new FakeTimers()
  readonly #waitingForSlots: FakeJob[] = []
  readonly #host: JobHost

  constructor(options: FakeFlinkOptions = {}) {
    this.version = parseVersion(options.version ?? '1.20.5')
    this.timing = { ...DEFAULT_TIMING, ...options.timing }
    this.options = {
      version: this.version.raw,
      taskManagers: options.taskManagers ?? 1,
      slotsPerTaskManager: options.slotsPerTaskManager ?? 4,
      defaultParallelism: options.defaultParallelism ?? 1,
      savepointDir: options.savepointDir === undefined ? DEFAULT_SAVEPOINT_DIR : options.savepointDir,
      webSubmit: options.webSubmit ?? true,
      scheduler: options.scheduler ?? 'Default',
      keepJarsOnRestart: options.keepJarsOnRestart ?? false,
      stateGrowthPerSecond: options.stateGrowthPerSecond ?? 1000,
      restartAttempts: options.restartAttempts ?? 2,
      restCacheMs: options.restCacheMs ?? 0,
    }
    for (const [name, program] of Object.entries(options.programs ?? {})) this.#programs.set(name, program)
    this.#config = options.config ?? {}
    this.#snapshots = options.storage ?? new Map()
    this.#fileSystems = options.fileSystems && new Set(options.fileSystems)
    this.taskManagers = Array.from({ length: this.options.taskManagers }, (_, index) => {
      const rpcPort = 40_000 + index * 7 + Math.floor(Math.random() * 5_000)
      return {
        id: `127.0.0.1:${rpcPort}-${randomHex(6)}`,
        index,
        host: '127.0.0.1',
        rpcPort,
        dataPort: rpcPort + 1,
        slots: this.options.slotsPerTaskManager,
      }
    })
    this.#host = this.#createJobHost()
  }

  // ---- what tests read -------------------------------------------------------------------------------------

  /** All jobs the JobManager knows, oldest first. */
  jobs(): FakeJob[] {
    return [...this.#jobs.values()]
  }

  job(jobId: string): FakeJob | undefined {
    return this.#jobs.get(jobId)
  }

  jars(): FakeJar[] {
    return [...this.#jars.values()]
  }

  jar(jarId: string): FakeJar | undefined {
    return this.#jars.get(jarId)
  }

  /** Snapshots (completed savepoints and retained checkpoints) a job can be started from. */
  snapshots(): Snapshot[] {
    return [...this.#snapshots.values()]
  }

  snapshot(path: string): Snapshot | undefined {
    return this.#snapshots.get(normalizePath(path))
  }

  datasets(): FakeDataset[] {
    return [...this.#datasets.values()]
  }

  get slotsTotal(): number {
    return this.taskManagers.reduce((n, tm) => n + tm.slots, 0)
  }

  get slotsAvailable(): number {
    return this.slotsTotal - this.jobs().reduce((n, j) => n + (j.holdsSlots ? j.requiredSlots : 0), 0)
  }

  /** Which jobs hold slots on which TaskManager (first fit, in submission order). */
  slotAllocation(): Map<string, { jobId: string }[]> {
    const allocation = new Map<string, { jobId: string }[]>(this.taskManagers.map((tm) => [tm.id, []]))
    let tmIndex = 0
    for (const job of this.jobs().filter((j) => j.holdsSlots)) {
      for (let i = 0; i < job.requiredSlots; i++) {
        while (
          tmIndex < this.taskManagers.length &&
          allocation.get(this.taskManagers[tmIndex]!.id)!.length >= this.taskManagers[tmIndex]!.slots
        )
          tmIndex++
        const tm = this.taskManagers[tmIndex]
        if (tm) allocation.get(tm.id)!.push({ jobId: job.id })
      }
    }
    return allocation
  }

  /** The effective JobManager configuration. */
  config(): Record<string, string> {
    const base: Record<string, string> = {
      'jobmanager.rpc.address': 'localhost',
      'jobmanager.rpc.port': '6123',
      'rest.port': '8081',
      'rest.address': 'localhost',
      'rest.server.max-content-length': '104857600',
      'parallelism.default': String(this.options.defaultParallelism),
      'taskmanager.numberOfTaskSlots': String(this.options.slotsPerTaskManager),
      'jobmanager.memory.process.size': '1600m',
      'taskmanager.memory.process.size': '1728m',
      'execution.checkpointing.interval': `${this.timing.checkpointIntervalMs} ms`,
      'state.backend.type': 'hashmap',
      'execution.checkpointing.dir': CHECKPOINT_DIR,
      'high-availability.type': 'zookeeper',
      'web.submit.enable': String(this.options.webSubmit),
      'jobmanager.scheduler': this.options.scheduler.toLowerCase(),
    }
    if (this.options.savepointDir) base['execution.checkpointing.savepoint-dir'] = this.options.savepointDir
    if (this.options.keepJarsOnRestart) base['web.upload.dir'] = '/tmp/fake-flink/jars'
    return { ...base, ...this.#config }
  }

  // ---- what tests set up -----------------------------------------------------------------------------------

  /** Sets what running a jar with this file name does (entry class, job name, operators, failure). */
  registerProgram(jarName: string, program: FakeProgram): void {
    this.#programs.set(jarName, program)
  }

  /** Registers a savepoint that exists outside this cluster (e.g. taken by an earlier cluster). */
  addSavepoint(
    path: string,
    init: { stateCount?: number; operatorIds?: string[]; checkpointId?: number } = {},
  ): Snapshot {
    const snapshot: Snapshot = {
      path: normalizePath(path),
      jobId: randomHex32(),
      checkpointId: init.checkpointId ?? 1,
      isSavepoint: true,
      stateCount: init.stateCount ?? 0,
      operatorIds: init.operatorIds ?? [],
      timestamp: Date.now(),
    }
    this.#snapshots.set(snapshot.path, snapshot)
    return snapshot
  }

  addDataset(init: { id?: string; isComplete?: boolean } = {}): FakeDataset {
    const dataset = { id: init.id ?? randomHex32(), isComplete: init.isComplete ?? true }
    this.#datasets.set(dataset.id, dataset)
    return dataset
  }

  /** Stops every timer; the cluster must not be used afterwards. */
  dispose(): void {
    for (const job of this.#jobs.values()) job.dispose()
    this.#timers.clear()
  }

  // ---- jars ------------------------------------------------------------------------------------------------

  uploadJar(fileName: string, size: number): FakeJar {
    const jar: FakeJar = {
      id: `${uuid()}_${fileName}`,
      name: fileName,
      uploaded: Date.now(),
      size,
      program: this.programFor(fileName),
    }
    this.#jars.set(jar.id, jar)
    return jar
  }

  programFor(jarName: string): FakeProgram {
    return this.#programs.get(jarName) ?? {}
  }

  deleteJar(jarId: string): void {
    if (!this.#jars.delete(jarId)) {
      throw restHandlerError(400, `File ${jarId} does not exist in ${this.uploadDir}.`)
    }
  }

  get uploadDir(): string {
    return this.options.keepJarsOnRestart
      ? '/tmp/fake-flink/jars/flink-web-upload'
      : `/tmp/flink-web-${this.#webDirId}/flink-web-upload`
  }

  #webDirId = uuid()

  requireJar(jarId: string): FakeJar {
    const jar = this.#jars.get(jarId)
    if (!jar) throw restHandlerError(400, `Jar file ${this.uploadDir}/${jarId} does not exist`)
    return jar
  }

  /** Runs a jar's program: submits one job and answers its id, or throws Flink's 400. */
  runJar(jarId: string, request: RunRequest): FakeJob {
    const jar = this.requireJar(jarId)
    const program = jar.program
    const entryClass = request.entryClass ?? program.entryClass ?? DEFAULT_ENTRY_CLASS
    const knownEntry = program.entryClass ?? DEFAULT_ENTRY_CLASS
    if (entryClass !== knownEntry) {
      throw couldNotExecute({
        className: 'org.apache.flink.client.program.ProgramInvocationException',
        message: `The program's entry point class '${entryClass}' was not found in the jar file.`,
      })
    }
    if (program.failOnRun) {
      throw couldNotExecute({
        className: 'org.apache.flink.client.program.ProgramInvocationException',
        message: `The main method caused an error: ${program.failOnRun.message}`,
        cause: program.failOnRun,
      })
    }
    const jobId = request.jobId ?? randomHex32()
    const existing = this.#jobs.get(jobId)
    if (existing) {
      // main() fails in env.execute(); 2.3 submits applications whose id is the job id.
      throw couldNotExecute({
        className: 'org.apache.flink.util.FlinkException',
        message: `Failed to execute job '${existing.name}'.`,
        cause: this.version.atLeast(2, 3)
          ? {
              className: 'org.apache.flink.runtime.client.DuplicateApplicationSubmissionException',
              message: 'Application has already been submitted.',
            }
          : {
              className: 'org.apache.flink.runtime.client.DuplicateJobSubmissionException',
              message: 'Job has already been submitted.',
            },
      })
    }
    const topology = this.#topology(program, request)
    const job = new FakeJob(this.#host, {
      id: jobId,
      name: jobName(program, request, topology.example),
      jarId,
      entryClass,
      programArgs: request.programArgs,
      parallelism: request.parallelism ?? this.options.defaultParallelism,
      ...topology.spec,
      savepointPath: request.savepointPath ?? null,
      allowNonRestoredState: request.allowNonRestoredState,
      claimMode: request.claimMode,
      flinkConfiguration: request.flinkConfiguration,
    })
    const example = topology.example
    if (example && example.failAfterSeconds > 0) {
      const attempts = example.restartAttempts ?? this.options.restartAttempts
      job.injectedFailure = {
        afterRunningMs: example.failAfterSeconds * this.timing.programSecondMs,
        restartsLeft: attempts,
        maxAttempts: attempts,
        exception: simulatedBadRelease(example),
      }
    }
    if (example?.asyncState) {
      job.refusesCanonicalSavepoints = {
        restartAttempts: example.restartAttempts ?? this.options.restartAttempts,
      }
    }
    this.#jobs.set(jobId, job)
    job.start(this.#restoreFor(job))
    return job
  }

  /** What GET/POST /jars/:jarid/plan shows: the job name and vertices main() would submit (or main()'s 400). */
  programPlan(
    jarId: string,
    request: RunRequest,
  ): { name: string; vertices: { id: string; name: string; description: string; parallelism: number }[] } {
    const jar = this.requireJar(jarId)
    if (!jar.program.vertices) {
      // Unlike a run (400), a plan whose main() throws is an unexpected server error (500).
      try {
        parseExampleArgs(request.programArgs)
      } catch (error) {
        if (!(error instanceof ProgramArgumentError)) throw error
        throw internalServerError({
          className: 'org.apache.flink.client.program.ProgramInvocationException',
          message: `The main method caused an error: ${error.message}`,
          cause: { className: error.className, message: error.message },
        })
      }
    }
    const topology = this.#topology(jar.program, request)
    const parallelism = request.parallelism ?? this.options.defaultParallelism
    return {
      name: jobName(jar.program, request, topology.example),
      vertices: topology.spec.vertices.map((v) => ({
        id: v.id,
        name: v.name,
        description: v.description ?? v.name,
        parallelism,
      })),
    }
  }

  /**
   * Runs a jar like Flink's web submission does: main() submits the job and waits until it is initialized, so
   * a job whose restore fails (missing savepoint, unmapped state) makes the run answer 400 while the job
   * itself stays listed as FAILED.
   */
  async runJarAndWait(jarId: string, request: RunRequest): Promise<FakeJob> {
    const job = this.runJar(jarId, request)
    while (job.state === 'INITIALIZING' && this.#jobs.get(job.id) === job) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, this.timing.initializeMs / 4)))
    }
    if (job.state === 'FAILED' && job.failure?.className === JOB_INITIALIZATION_EXCEPTION) {
      throw couldNotExecute({
        className: 'org.apache.flink.util.FlinkException',
        message: `Failed to execute job '${job.name}'.`,
        cause: job.failure,
      })
    }
    return job
  }

  /** The vertices and metrics of a program: the example job's (by its arguments) unless it names its own. */
  #topology(
    program: FakeProgram,
    request: RunRequest,
  ): {
    spec: Pick<JobSpec, 'vertices' | 'statefulVertex' | 'metricScope' | 'statesPerSecond' | 'release'>
    example?: ExampleArgs
  } {
    if (program.vertices) {
      const entryClass = request.entryClass ?? program.entryClass ?? DEFAULT_ENTRY_CLASS
      const names = program.vertices
      const stateful = Math.min(program.statefulVertex ?? 1, names.length - 1)
      return {
        spec: {
          vertices: names.map((name) => ({ name, id: stableHex32(`${entryClass}/${name}`) })),
          statefulVertex: Math.max(0, stateful),
          metricScope: names[Math.max(0, stateful)]!.replace(/[^A-Za-z0-9_-]/g, '_'),
        },
      }
    }
    let args: ExampleArgs
    try {
      args = parseExampleArgs(request.programArgs)
    } catch (error) {
      if (!(error instanceof ProgramArgumentError)) throw error
      throw couldNotExecute({ className: error.className, message: error.message })
    }
    if (args.asyncState && !this.version.atLeast(2, 0)) {
      throw couldNotExecute({
        className: 'java.lang.IllegalArgumentException',
        message:
          '--async-state needs Flink 2.x: this jar was built for Flink 1.x, which has no async state API',
      })
    }
    const counter =
      args.topology === 'incompatible' ? EXAMPLE_VERTICES.incompatibleCounter : EXAMPLE_VERTICES.counter
    const explicitRate = request.programArgs.some((a) => a === '--rate' || a.startsWith('--rate='))
    return {
      spec: {
        vertices: [EXAMPLE_VERTICES.source, counter],
        statefulVertex: 1,
        metricScope: EXAMPLE_METRIC_SCOPE,
        statesPerSecond: explicitRate ? (args.rate * 1000) / this.timing.programSecondMs : undefined,
        release: args.release,
      },
      example: args,
    }
  }

  #restoreFor(job: FakeJob): { snapshot: Snapshot } | { error: JavaException } | null {
    if (!job.savepointPath) return null
    const snapshot = this.snapshot(job.savepointPath)
    const unreadable = this.#unreadable(job.savepointPath)
    if (unreadable) return { error: unreadable }
    if (!snapshot) return { error: notFound(job.savepointPath) }
    const ids = new Set(job.vertices.map((v) => v.id))
    const unmapped = snapshot.operatorIds.find((id) => !ids.has(id))
    if (unmapped && !job.allowNonRestoredState) {
      return {
        error: {
          className: 'java.lang.IllegalStateException',
          message:
            `Failed to rollback to checkpoint/savepoint ${snapshot.path}. Cannot map checkpoint/savepoint state for operator ` +
            `${unmapped} to the new program, because the operator is not available in the new program. If you want to ` +
            'allow to skip this, you can set the --allowNonRestoredState option on the CLI.',
        },
      }
    }
    return { snapshot }
  }

  // ---- jobs ------------------------------------------------------------------------------------------------

  requireJob(jobId: string): FakeJob {
    const job = this.#jobs.get(jobId)
    if (!job)
      throw notFoundError(`Job ${jobId} not found`, {
        className: 'org.apache.flink.runtime.messages.FlinkJobNotFoundException',
        message: `Could not find Flink job (${jobId})`,
      })
    return job
  }

  cancelJob(jobId: string): void {
    const job = this.#jobs.get(jobId)
    if (!job) throw restHandlerError(404, 'Job could not be found.')
    // Cancelling a cancelled job is accepted (202); any other terminal state is a conflict.
    if (job.state === 'CANCELED') return
    if (job.isTerminal) {
      throw restHandlerError(
        409,
        `Job cancellation failed because the job has already reached another terminal state (${job.state}).`,
      )
    }
    if (job.state === 'CANCELLING') return
    this.#removeWaiting(job)
    job.cancel()
  }

  // ---- savepoints, stop, checkpoints ----------------------------------------------------------------------

  /**
   * Savepoint (`stop: false`) or stop-with-savepoint. The same (jobId, triggerId) returns the existing
   * operation and starts nothing, as in Flink.
   */
  triggerSavepoint(
    jobId: string,
    request: {
      triggerId?: string
      targetDirectory?: string
      stop: boolean
      cancelJob?: boolean
      drain?: boolean
      /** CANONICAL (Flink's default) or NATIVE. */
      formatType?: string
      field: string
    },
  ): string {
    const triggerId = request.triggerId ?? randomHex32()
    const key = `${jobId}/${triggerId}`
    if (this.#savepointOps.has(key)) return triggerId
    const directory = request.targetDirectory ?? this.options.savepointDir
    if (!directory) {
      throw restHandlerError(
        400,
        `Config key [execution.checkpointing.savepoint-dir] is not set. Property [${request.field}] must be provided.`,
      )
    }
    const op: AsyncOperation = { result: { status: 'IN_PROGRESS' } }
    this.#savepointOps.set(key, op)
    const fail = (exception: JavaException, wrapped = false) =>
      this.#complete(op, { 'failure-cause': failureCause(wrapped ? wrap(exception) : exception) })

    const job = this.#jobs.get(jobId)
    if (!job || job.isTerminal) {
      this.#timers.after(1, () =>
        fail({
          className: 'org.apache.flink.runtime.messages.FlinkJobNotFoundException',
          message: `Could not find Flink job (${jobId})`,
        }),
      )
      return triggerId
    }
    if (job.state === 'INITIALIZING') {
      this.#timers.after(1, () =>
        fail({
          className: 'org.apache.flink.runtime.dispatcher.UnavailableDispatcherOperationException',
          message: `Unable to get JobMasterGateway for initializing job. The requested operation is not available while the JobManager is initializing.`,
        }),
      )
      return triggerId
    }
    if (!job.allTasksRunning) {
      this.#timers.after(1, () => fail(NOT_ALL_RUNNING, true))
      return triggerId
    }
    const refusal = this.#canonicalRefusal(job, request.formatType)
    const rule = refusal ?? this.#takeSavepointFailure(jobId)
    if (rule?.failsTask) {
      const failsTask = rule.failsTask
      this.#timers.after(this.timing.savepointMs / 2, () => {
        job.failTask(snapshotFailedInTask(job, rule.exception), failsTask === 'restart')
        fail(
          {
            className: 'org.apache.flink.runtime.checkpoint.CheckpointException',
            message: request.stop ? 'Checkpoint Coordinator is suspending.' : 'FailoverRegion is restarting.',
          },
          true,
        )
      })
      return triggerId
    }
    const kind = request.stop ? 'SYNC_SAVEPOINT' : 'SAVEPOINT'
    const generation = this.jobManagerGeneration
    job.takeSnapshot(
      kind,
      this.timing.savepointMs,
      () => `${directory.replace(/\/+$/, '')}/savepoint-${jobId.slice(0, 6)}-${randomHex(12)}`,
      (record, failureMessage) => {
        if (generation !== this.jobManagerGeneration) return
        if (!record) {
          if (rule) return fail(rule.exception, rule.wrapped)
          return fail(
            {
              className: 'org.apache.flink.runtime.checkpoint.CheckpointException',
              message: failureMessage ?? 'Checkpoint was declined.',
            },
            true,
          )
        }
        this.#registerSnapshot(job.snapshotOf(record))
        this.#complete(op, { location: record.externalPath })
        if (request.stop) job.finishAfterSavepoint('FINISHED')
        else if (request.cancelJob) job.finishAfterSavepoint('CANCELED')
      },
      rule ? rule.exception.message : undefined,
      request.formatType === 'NATIVE' ? 'NATIVE' : 'CANONICAL',
    )
    return triggerId
  }

  savepointStatus(jobId: string, triggerId: string): AsyncResult {
    const op = this.#savepointOps.get(`${jobId}/${triggerId}`)
    if (!op)
      throw notFoundError(`There is no savepoint operation with triggerId=${triggerId} for job ${jobId}.`)
    return op.result
  }

  triggerCheckpoint(jobId: string, triggerId: string | undefined): string {
    const job = this.requireJob(jobId)
    const id = triggerId ?? randomHex32()
    const key = `${jobId}/${id}`
    if (this.#checkpointOps.has(key)) return id
    const op: AsyncOperation = { result: { status: 'IN_PROGRESS' } }
    this.#checkpointOps.set(key, op)
    if (!job.allTasksRunning) {
      this.#timers.after(1, () =>
        this.#complete(op, { checkpointId: null, failureCause: failureCause(wrap(NOT_ALL_RUNNING)) }),
      )
      return id
    }
    job.takeSnapshot(
      'CHECKPOINT',
      this.timing.checkpointDurationMs,
      (n) => job.checkpointPath(n),
      (record, message) => {
        if (record) this.#complete(op, { checkpointId: record.id, failureCause: null })
        else
          this.#complete(op, {
            checkpointId: null,
            failureCause: failureCause({
              className: 'org.apache.flink.runtime.checkpoint.CheckpointException',
              message: message ?? 'Checkpoint was declined.',
            }),
          })
      },
    )
    return id
  }

  checkpointStatus(jobId: string, triggerId: string): AsyncResult {
    this.requireJob(jobId)
    const op = this.#checkpointOps.get(`${jobId}/${triggerId}`)
    if (!op)
      throw notFoundError(`There is no checkpoint operation with triggerId=${triggerId} for job ${jobId}.`)
    return op.result
  }

  /** Flink's answer for a path on a file system this JobManager has no implementation for. */
  #unreadable(path: string): JavaException | undefined {
    const scheme = schemeOf(path)
    if (!this.#fileSystems || this.#fileSystems.has(scheme)) return undefined
    return {
      className: 'java.io.IOException',
      message: `Cannot access file system for checkpoint/savepoint path '${path}'.`,
      cause: {
        className: 'org.apache.flink.core.fs.UnsupportedFileSystemSchemeException',
        message: `Could not find a file system implementation for scheme '${scheme}'. The scheme is directly supported by Flink through the following plugin(s): flink-s3-fs-hadoop, flink-s3-fs-presto. Please ensure that each plugin resides within its own subfolder within the plugins directory.`,
      },
    }
  }

  disposeSavepoint(path: string): string {
    const triggerId = randomHex32()
    const op: AsyncOperation = { result: { status: 'IN_PROGRESS' } }
    this.#disposalOps.set(triggerId, op)
    this.#timers.after(this.timing.disposalMs, () => {
      const key = normalizePath(path)
      const unreadable = this.#unreadable(path) ?? (this.#snapshots.has(key) ? undefined : notFound(path))
      if (unreadable) {
        this.#complete(op, {
          'failure-cause': failureCause({
            className: 'org.apache.flink.util.FlinkException',
            message: `Could not dispose savepoint ${path}.`,
            cause: unreadable,
          }),
        })
        return
      }
      this.#snapshots.delete(key)
      this.#complete(op, {})
    })
    return triggerId
  }

  disposalStatus(triggerId: string): AsyncResult {
    const op = this.#disposalOps.get(triggerId)
    if (!op) throw notFoundError(`Operation not found under key: ${triggerId}`)
    return op.result
  }

  deleteDataset(datasetId: string): string {
    const triggerId = randomHex32()
    const op: AsyncOperation = { result: { status: 'IN_PROGRESS' } }
    this.#datasetOps.set(triggerId, op)
    this.#timers.after(this.timing.disposalMs, () => {
      // Unknown data sets are "deleted" too: Flink completes without a failure cause.
      this.#datasets.delete(datasetId)
      this.#complete(op, {})
    })
    return triggerId
  }

  datasetDeleteStatus(triggerId: string): AsyncResult {
    const op = this.#datasetOps.get(triggerId)
    if (!op) throw notFoundError(`Operation not found under key: ${triggerId}`)
    return op.result
  }

  /** GET /jobs/:jobid/resource-requirements: only the adaptive scheduler answers. */
  resourceRequirements(jobId: string): Record<string, unknown> {
    const job = this.#jobMaster(jobId)
    if (this.options.scheduler !== 'Adaptive') throw defaultSchedulerRefuses('requestJobResourceRequirements')
    return Object.fromEntries(
      job.vertices.map((v) => [v.id, { parallelism: { lowerBound: 1, upperBound: v.parallelism } }]),
    )
  }

  /** PUT /jobs/:jobid/resource-requirements: only the adaptive scheduler rescales (through a restart). */
  updateResourceRequirements(jobId: string, parallelism: Record<string, number>): void {
    const job = this.#jobMaster(jobId)
    if (this.options.scheduler !== 'Adaptive') throw defaultSchedulerRefuses('updateJobResourceRequirements')
    for (const vertex of job.vertices) {
      const p = parallelism[vertex.id]
      if (p !== undefined && p > 0) vertex.parallelism = p
    }
  }

  /** Routes served by the job's JobMaster: a finished job has none, Flink answers 500 FlinkJobNotFoundException. */
  #jobMaster(jobId: string): FakeJob {
    const job = this.requireJob(jobId)
    if (job.isTerminal)
      throw internalServerError({
        className: 'org.apache.flink.runtime.messages.FlinkJobNotFoundException',
        message: `Could not find Flink job (${jobId})`,
      })
    return job
  }

  // ---- JobManager restart ----------------------------------------------------------------------------------

  /**
   * Takes the JobManager down for `downtimeMs`, then brings it back: asynchronous operation results are
   * gone, uploaded jars too (unless keepJars), finished jobs are forgotten, and running jobs are recovered
   * from their latest completed checkpoint, as with high availability.
   */
  async restartJobManager(options: { downtimeMs?: number; keepJars?: boolean } = {}): Promise<void> {
    this.up = false
    this.jobManagerGeneration++
    const keepJars = options.keepJars ?? this.options.keepJarsOnRestart
    const live = this.jobs().filter((j) => !j.isTerminal)
    for (const job of this.jobs()) job.dispose()
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, options.downtimeMs ?? 50)
      t.unref()
    })
    this.#savepointOps.clear()
    this.#checkpointOps.clear()
    this.#disposalOps.clear()
    this.#datasetOps.clear()
    if (!keepJars) {
      this.#jars.clear()
      this.#webDirId = uuid()
    }
    for (const job of this.jobs()) {
      if (job.isTerminal) this.#jobs.delete(job.id)
      job.holdsSlots = false
    }
    this.#waitingForSlots.length = 0
    this.up = true
    for (const job of live) {
      const latest = job.latestCompleted?.externalPath
        ? this.snapshot(job.latestCompleted.externalPath)
        : undefined
      job.recoverAfterJobManagerRestart(latest ?? null)
    }
  }

  // ---- internals -------------------------------------------------------------------------------------------

  /** Flink 2.x: a canonical savepoint of an operator on async state throws in the task (StreamOperatorStateHandler). */
  #canonicalRefusal(job: FakeJob, formatType: string | undefined): SavepointFailureRule | undefined {
    const refuses = job.refusesCanonicalSavepoints
    if (!refuses || formatType === 'NATIVE' || !this.version.atLeast(2, 0)) return undefined
    return {
      remaining: 0,
      exception: { className: 'java.lang.UnsupportedOperationException', message: 'Not supported yet.' },
      wrapped: false,
      failsTask: job.numRestarts < refuses.restartAttempts ? 'restart' : 'fail',
    }
  }

  #takeSavepointFailure(jobId: string): SavepointFailureRule | undefined {
    const rule = this.savepointFailures.find(
      (r) => r.remaining > 0 && (r.jobId === undefined || r.jobId === jobId),
    )
    if (rule) rule.remaining--
    return rule
  }

  #registerSnapshot(snapshot: Snapshot): void {
    this.#snapshots.set(snapshot.path, snapshot)
  }

  #complete(op: AsyncOperation, value: Record<string, unknown>): void {
    op.result = { status: 'COMPLETED', value, completedAt: Date.now() }
  }

  #removeWaiting(job: FakeJob): void {
    const i = this.#waitingForSlots.indexOf(job)
    if (i >= 0) this.#waitingForSlots.splice(i, 1)
  }

  #createJobHost(): JobHost {
    const cluster = this
    return {
      get timing() {
        return cluster.timing
      },
      get stateGrowthPerSecond() {
        return cluster.options.stateGrowthPerSecond
      },
      // A configured directory (e.g. on S3 both fakes share) is where checkpoints go, as in Flink.
      checkpointDir: cluster.config()['execution.checkpointing.dir'] ?? CHECKPOINT_DIR,
      requestSlots(job) {
        if (job.holdsSlots) return true
        if (cluster.slotsAvailable >= job.requiredSlots && cluster.#waitingForSlots.length === 0) {
          job.holdsSlots = true
          return true
        }
        cluster.#waitingForSlots.push(job)
        return false
      },
      releaseSlots(job) {
        cluster.#removeWaiting(job)
        if (!job.holdsSlots) return
        job.holdsSlots = false
        while (
          cluster.#waitingForSlots[0] &&
          cluster.slotsAvailable >= cluster.#waitingForSlots[0].requiredSlots
        ) {
          const next = cluster.#waitingForSlots.shift()!
          next.holdsSlots = true
          next.slotsGranted()
        }
      },
      onRunning(job) {
        cluster.applyJobFailures(job)
      },
      onCheckpointCompleted(job, snapshot) {
        // Retain only the latest checkpoint of each job (state.checkpoints.num-retained = 1).
        for (const [path, s] of cluster.#snapshots)
          if (s.jobId === job.id && !s.isSavepoint) cluster.#snapshots.delete(path)
        cluster.#snapshots.set(snapshot.path, snapshot)
        // CLAIM mode: the restored snapshot is owned by the job and deleted once subsumed.
        if (job.claimMode === 'CLAIM' && job.restoredFrom) cluster.#snapshots.delete(job.restoredFrom.path)
      },
      sourceBacklog: (job) => cluster.sourceBacklog(job),
      legacySources: (job) => cluster.legacySources(job),
      taskLocation(subtask) {
        const tm = cluster.taskManagers[subtask % cluster.taskManagers.length]!
        return { endpoint: `${tm.host}:${tm.dataPort}`, taskManagerId: tm.id }
      },
    }
  }

  /** @internal Arms the first matching job failure rule for a job whose tasks all run. */
  applyJobFailures(job: FakeJob): void {
    if (!job.injectedFailure) {
      const rule = this.jobFailures.find((r) => r.remaining > 0 && r.match(job))
      if (!rule) return
      rule.remaining--
      job.injectedFailure = {
        afterRunningMs: rule.afterRunningMs,
        restartsLeft: rule.restarts,
        exception: rule.exception,
      }
    }
    const failure = job.injectedFailure
    const generation = this.jobManagerGeneration
    this.#timers.after(failure.afterRunningMs, () => {
      if (generation !== this.jobManagerGeneration || !job.allTasksRunning) return
      const restart = failure.restartsLeft > 0
      if (restart) failure.restartsLeft--
      job.failTask(failure.exception, restart, failure.maxAttempts)
    })
  }
}

const JOB_INITIALIZATION_EXCEPTION = 'org.apache.flink.runtime.client.JobInitializationException'

/** What the DefaultScheduler answers to the resource requirement endpoints: a 500 with the Java exception. */
function defaultSchedulerRefuses(
  _method: 'requestJobResourceRequirements' | 'updateJobResourceRequirements',
) {
  return internalServerError({
    className: 'java.lang.UnsupportedOperationException',
    message:
      'The DefaultScheduler does not support changing the parallelism without a job restart. This feature is currently only expected to work with the AdaptiveScheduler.',
  })
}

/** Flink's answer when a program's main() fails or its submission is rejected. */
function couldNotExecute(cause: JavaException) {
  return restHandlerError(400, 'Could not execute application.', {
    className: 'org.apache.flink.client.program.ProgramInvocationException',
    message: `The main method caused an error: ${cause.message}`,
    cause:
      cause.className === 'org.apache.flink.client.program.ProgramInvocationException' ? cause.cause : cause,
  })
}

/** What a task reports when an operator's snapshot throws (StreamTask → StreamOperatorStateHandler). */
function snapshotFailedInTask(job: FakeJob, cause: JavaException): JavaException {
  const operator = `${job.statefulVertex.name} (1/${job.statefulVertex.parallelism})#${job.statefulVertex.attempt}`
  const id = job.checkpointCounts.total + 1
  return {
    className: 'java.io.IOException',
    message: `Could not perform checkpoint ${id} for operator ${operator}.`,
    cause: {
      className: 'org.apache.flink.runtime.checkpoint.CheckpointException',
      message: `Could not complete snapshot ${id} for operator ${operator}. Failure reason: Checkpoint was declined.`,
      cause,
    },
  }
}

function wrap(exception: JavaException): JavaException {
  return {
    className: 'java.util.concurrent.CompletionException',
    message: `${exception.className}: ${exception.message}`,
    cause: exception,
  }
}

/** The scheme of a path as Flink's FileSystem sees it: none means the default, local file system. */
function schemeOf(path: string): string {
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(path)?.[1]?.toLowerCase() ?? 'file'
}

function notFound(path: string): JavaException {
  return {
    className: 'java.io.FileNotFoundException',
    message: `Cannot find checkpoint or savepoint file/directory '${path}' on file system '${schemeOf(path)}'.`,
  }
}

function normalizePath(path: string): string {
  return path.replace(/\/+$/, '').replace(/\/_metadata$/, '')
}

function jobName(program: FakeProgram, request: RunRequest, example?: ExampleArgs): string {
  if (typeof program.jobName === 'function') return program.jobName(request.programArgs)
  if (typeof program.jobName === 'string') return program.jobName
  const configured = request.flinkConfiguration['pipeline.name']
  if (configured) return configured
  if (example) return example.name
  const args = request.programArgs
  for (const flag of ['--job-name', '--jobName', '--name']) {
    const i = args.indexOf(flag)
    if (i >= 0 && args[i + 1] !== undefined) return args[i + 1]!
    const inline = args.find((a) => a.startsWith(`${flag}=`))
    if (inline) return inline.slice(flag.length + 1)
  }
  return 'Flink Streaming Job'
}

export type { CheckpointRecord, Snapshot }
