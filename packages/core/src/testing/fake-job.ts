/**
 * One job of the fake cluster: its status and per-status timestamps, its vertices and their tasks, its
 * checkpoints, its exception history, and a state counter that grows while the job runs and travels with
 * checkpoints and savepoints (so a test can prove that a restored job continued from the saved state).
 */

import {
  type ExecutionState,
  ExecutionState as ExecutionStateSchema,
  type JobStatus,
  JobStatus as JobStatusSchema,
} from '../client/schemas/common.ts'
import type { FakeTiming, Snapshot } from './cluster-options.ts'
import { FakeGate } from './fake-gate.ts'
import { type JavaException, stackTrace } from './java-errors.ts'
import { FakeTimers } from './timers.ts'

export type { ExecutionState, JobStatus }

/** The same enums the client validates with, so the fake cannot answer a state the client would reject. */
export const JOB_STATUSES: readonly JobStatus[] = JobStatusSchema.options
export const EXECUTION_STATES: readonly ExecutionState[] = ExecutionStateSchema.options

const TERMINAL: ReadonlySet<JobStatus> = new Set(['FAILED', 'CANCELED', 'FINISHED', 'SUSPENDED'])

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL.has(status)
}

export interface CheckpointRecord {
  id: number
  status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'
  isSavepoint: boolean
  type: 'CHECKPOINT' | 'SAVEPOINT' | 'SYNC_SAVEPOINT'
  triggerTimestamp: number
  ackTimestamp: number
  stateCount: number
  stateSize: number
  externalPath: string | null
  discarded: boolean
  failureTimestamp?: number
  failureMessage?: string
  /** Savepoints only: the format asked for. */
  format?: 'CANONICAL' | 'NATIVE'
  /** How long it takes in all: while in progress, subtasks acknowledge and bytes grow in proportion. */
  durationMs: number
}

export interface RestoreRecord {
  id: number
  timestamp: number
  isSavepoint: boolean
  externalPath: string
}

export interface ExceptionRecord {
  exception: JavaException
  stacktrace: string
  timestamp: number
  taskName: string | null
  endpoint: string | null
  taskManagerId: string | null
}

export interface FakeVertex {
  id: string
  name: string
  /** The plan's node description (operator chain), e.g. `counter<br/>+- discard: Writer<br/>`. */
  description: string
  parallelism: number
  maxParallelism: number
  status: ExecutionState
  attempt: number
  startTime: number
  endTime: number
  /** Epoch ms when the tasks entered each state (current attempt). */
  stateTimestamps: Partial<Record<ExecutionState, number>>
}

/** What a job needs from its cluster. */
export interface JobHost {
  timing: FakeTiming
  stateGrowthPerSecond: number
  checkpointDir: string
  /** Asks for slots; true when granted now, else the cluster calls `slotsGranted()` later. */
  requestSlots(job: FakeJob): boolean
  /** Called when the job stops needing its slots. */
  releaseSlots(job: FakeJob): void
  /** Called each time every task of the job is RUNNING. */
  onRunning(job: FakeJob): void
  /** Called when a checkpoint completes: the cluster keeps it as a restorable snapshot. */
  onCheckpointCompleted(job: FakeJob, snapshot: Snapshot): void
  /** The backlog of the job's sources now, if they report one. */
  sourceBacklog(job: FakeJob): number | undefined
  /** Whether the job's sources are legacy SourceFunctions (no FLIP-27 source metrics). */
  legacySources(job: FakeJob): boolean
  /** A TaskManager endpoint and id for messages: `host:port` and the ResourceID. */
  taskLocation(subtask: number): { endpoint: string; taskManagerId: string }
}

export interface JobSpec {
  id: string
  name: string
  jarId: string | null
  entryClass: string
  programArgs: string[]
  parallelism: number
  vertices: { name: string; id: string; description?: string }[]
  statefulVertex: number
  /** Metric group of the stateful operator (`<subtask>.<scope>.stateCount`). */
  metricScope: string
  /** State growth per second of RUNNING time (the program's event rate). */
  statesPerSecond?: number
  /** Value of the `release` gauge, if the program has one. */
  release?: string
  savepointPath: string | null
  allowNonRestoredState: boolean
  claimMode: 'CLAIM' | 'NO_CLAIM' | 'LEGACY'
  flinkConfiguration: Record<string, string>
}

const HISTORY_SIZE = 10
const TASK_STEPS: ExecutionState[] = ['SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING']

export class FakeJob {
  readonly id: string
  readonly name: string
  readonly jarId: string | null
  readonly entryClass: string
  readonly programArgs: readonly string[]
  readonly savepointPath: string | null
  readonly allowNonRestoredState: boolean
  readonly claimMode: 'CLAIM' | 'NO_CLAIM' | 'LEGACY'
  readonly flinkConfiguration: Readonly<Record<string, string>>
  readonly maxParallelism = 128
  readonly vertices: FakeVertex[]
  readonly statefulVertexIndex: number
  readonly metricScope: string
  readonly release: string | undefined
  readonly statesPerSecond: number | undefined
  /** The hand-over gate in the counter's chain, when the job runs with one. */
  readonly gate: FakeGate | undefined
  state: JobStatus = 'INITIALIZING'
  readonly timestamps: Record<JobStatus, number>
  readonly startTime: number
  endTime = -1
  lastModification: number
  /** Newest first is how Flink lists them; stored oldest first here. */
  readonly exceptions: ExceptionRecord[] = []
  /** The failure that ended the job, when it FAILED. */
  failure: JavaException | null = null
  numRestarts = 0
  readonly checkpointHistory: CheckpointRecord[] = []
  checkpointCounts = { total: 0, completed: 0, failed: 0, restored: 0 }
  latestCompleted: CheckpointRecord | null = null
  latestSavepoint: CheckpointRecord | null = null
  latestFailed: CheckpointRecord | null = null
  restored: RestoreRecord | null = null
  /** The snapshot the job (re)started from, if any. */
  restoredFrom: Snapshot | null = null
  /** Set by the cluster while the job holds slots. */
  holdsSlots = false
  /** Set for the example job's `--async-state`: canonical savepoints fail its task on Flink 2.x. */
  refusesCanonicalSavepoints: { restartAttempts: number } | null = null
  /** Remaining restarts of an injected failure, and its settings. */
  injectedFailure: {
    afterRunningMs: number
    restartsLeft: number
    /** The restart strategy's attempts, for the "Recovery is suppressed" message. */
    maxAttempts?: number
    exception: JavaException
  } | null = null

  readonly #host: JobHost
  #nextCheckpointId = 1
  #stateBase = 0
  #runningSince: number | null = null
  /** stateCount when the tasks last (re)started: processedSinceStart counts from here. */
  #startBase = 0
  readonly #timers = new FakeTimers()
  #snapshotTimers = new Set<NodeJS.Timeout>()
  #checkpointTimer: NodeJS.Timeout | null = null
  #slotTimeout: NodeJS.Timeout | null = null

  constructor(host: JobHost, spec: JobSpec, now = Date.now()) {
    this.#host = host
    this.id = spec.id
    this.name = spec.name
    this.jarId = spec.jarId
    this.entryClass = spec.entryClass
    this.programArgs = spec.programArgs
    this.savepointPath = spec.savepointPath
    this.allowNonRestoredState = spec.allowNonRestoredState
    this.claimMode = spec.claimMode
    this.flinkConfiguration = spec.flinkConfiguration
    this.startTime = now
    this.lastModification = now
    this.timestamps = Object.fromEntries([...JOB_STATUSES].map((s) => [s, 0])) as Record<JobStatus, number>
    this.timestamps.INITIALIZING = now
    this.statefulVertexIndex = spec.statefulVertex
    this.metricScope = spec.metricScope
    this.release = spec.release
    this.statesPerSecond = spec.statesPerSecond
    this.gate = FakeGate.of(spec.flinkConfiguration, spec.programArgs)
    const gated = (text: string, separator: string) =>
      this.gate ? text.replace(/^counter/, `counter${separator}handover-gate`) : text
    this.vertices = spec.vertices.map(({ name, id, description }) => ({
      id,
      name: gated(name, ' -> '),
      description: gated(description ?? name, '<br/>+- '),
      parallelism: spec.parallelism,
      maxParallelism: this.maxParallelism,
      status: 'CREATED',
      attempt: 0,
      startTime: -1,
      endTime: -1,
      stateTimestamps: { CREATED: now },
    }))
  }

  /** Slots the job needs: with slot sharing, the highest vertex parallelism. */
  get requiredSlots(): number {
    return Math.max(...this.vertices.map((v) => v.parallelism))
  }

  get parallelism(): number {
    return this.requiredSlots
  }

  get isTerminal(): boolean {
    return isTerminal(this.state)
  }

  /** Every task is RUNNING (what an upgrade should wait for before a savepoint). */
  get allTasksRunning(): boolean {
    return this.state === 'RUNNING' && this.vertices.every((v) => v.status === 'RUNNING')
  }

  get statefulVertex(): FakeVertex {
    return this.vertices[this.statefulVertexIndex]!
  }

  /** The state counter now: the restored value plus what the job counted while running. */
  stateCount(now = Date.now()): number {
    if (this.#runningSince === null) return this.#stateBase
    const rate = this.statesPerSecond ?? this.#host.stateGrowthPerSecond
    return this.#stateBase + Math.floor(((now - this.#runningSince) * rate) / 1000)
  }

  /** Events processed since the tasks last (re)started (the example job's `processedSinceStart` counter). */
  processedSinceStart(now = Date.now()): number {
    return this.stateCount(now) - this.#startBase
  }

  /** The sources' `pendingRecords` now (summed over subtasks), if they report one. */
  get pendingRecords(): number | undefined {
    return this.#host.sourceBacklog(this)
  }

  /** The sources are legacy SourceFunctions: they report no FLIP-27 source metrics. */
  get legacySources(): boolean {
    return this.#host.legacySources(this)
  }

  /** Checkpoints in progress right now. */
  get checkpointsInProgress(): number {
    return this.checkpointHistory.filter((c) => c.status === 'IN_PROGRESS').length
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------

  /** Submission: INITIALIZING, then either a restore failure or CREATED and scheduling. */
  start(restore: { snapshot: Snapshot } | { error: JavaException } | null): void {
    this.#timers.after(this.#host.timing.initializeMs, () => {
      if (restore && 'error' in restore) {
        this.#failTerminally(
          {
            className: 'org.apache.flink.runtime.client.JobInitializationException',
            message: 'Could not start the JobMaster.',
            cause: restore.error,
          },
          null,
        )
        return
      }
      if (restore) this.#restoreFrom(restore.snapshot)
      this.#setState('CREATED')
      this.#schedule()
    })
  }

  /** The cluster granted the slots the job was waiting for. */
  slotsGranted(): void {
    if (this.#slotTimeout) clearTimeout(this.#slotTimeout)
    this.#slotTimeout = null
    this.#deploy()
  }

  /** Cancels the job; throws when it already reached a terminal state. */
  cancel(): void {
    this.#pauseCounting()
    this.#clearTimers()
    this.#failInProgressCheckpoints('Checkpoint Coordinator is suspending.')
    this.#setState('CANCELLING')
    this.#setTasks('CANCELING')
    this.#timers.after(this.#host.timing.cancelMs, () => {
      this.#setTasks('CANCELED')
      this.#end('CANCELED')
    })
  }

  /** Ends the job after a successful stop-with-savepoint (or CANCELED for cancel-with-savepoint). */
  finishAfterSavepoint(endState: 'FINISHED' | 'CANCELED'): void {
    this.#pauseCounting()
    this.#clearTimers()
    this.#setTasks(endState === 'FINISHED' ? 'FINISHED' : 'CANCELED')
    this.#end(endState)
  }

  /**
   * A task failure: restart from the latest checkpoint when restarts are left, else FAILING → FAILED. The last
   * failure is reported like Flink's: a JobException "Recovery is suppressed by <strategy>" caused by the task's.
   */
  failTask(exception: JavaException, restart: boolean, maxRestartAttempts = this.numRestarts): void {
    if (this.isTerminal || this.state === 'CANCELLING' || this.state === 'FAILING') return
    const now = Date.now()
    const subtask = 0
    const location = this.#host.taskLocation(subtask)
    const vertex = this.statefulVertex
    const reported: JavaException = restart
      ? exception
      : {
          className: 'org.apache.flink.runtime.JobException',
          message: `Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=${maxRestartAttempts}, backoffTimeMS=${this.#host.timing.restartDelayMs})`,
          cause: exception,
        }
    this.#recordException(
      reported,
      `${vertex.name} (${subtask + 1}/${vertex.parallelism})#${vertex.attempt}`,
      location,
      now,
    )
    this.#pauseCounting()
    this.#clearTimers()
    this.#failInProgressCheckpoints(`Task ${vertex.name} failed`)
    if (restart) {
      this.numRestarts++
      this.#setState('RESTARTING')
      this.#setTasks('CANCELING')
      this.#timers.after(this.#host.timing.restartDelayMs / 2, () => this.#setTasks('CANCELED'))
      this.#timers.after(this.#host.timing.restartDelayMs, () => {
        this.#restoreFromLatest(Date.now())
        this.#newAttempt()
        this.#deploy()
      })
      return
    }
    this.failure = reported
    this.#setState('FAILING')
    this.#setTasks('CANCELING')
    vertex.status = 'FAILED'
    this.#timers.after(this.#host.timing.cancelMs, () => {
      this.#setTasks('CANCELED', new Set([vertex.id]))
      this.#end('FAILED')
    })
  }

  /**
   * The TaskManager of the job's tasks died and no other offers slots: the job restarts, is RUNNING again
   * and its tasks wait SCHEDULED for slots that never come (until the test ends or cancels the job). What
   * Flink's default scheduler shows until its slot request times out.
   */
  loseTaskManager(): void {
    if (this.isTerminal || this.state === 'CANCELLING' || this.state === 'FAILING') return
    const now = Date.now()
    const vertex = this.statefulVertex
    const location = this.#host.taskLocation(0)
    this.#recordException(
      {
        className: 'org.apache.flink.runtime.jobmaster.JobMasterException',
        message: `TaskManager with id ${location.taskManagerId} is no longer reachable.`,
      },
      `${vertex.name} (1/${vertex.parallelism})#${vertex.attempt}`,
      location,
      now,
    )
    this.#pauseCounting()
    this.#clearTimers()
    this.#failInProgressCheckpoints(`Task ${vertex.name} failed`)
    this.numRestarts++
    this.#setState('RESTARTING')
    this.#setTasks('CANCELED')
    this.#timers.after(this.#host.timing.restartDelayMs, () => {
      this.#restoreFromLatest(Date.now())
      this.#newAttempt()
      this.#setState('RUNNING')
      this.#setTasks('SCHEDULED')
    })
  }

  /**
   * After a JobManager restart: the job is recovered (as with HA) from its latest completed checkpoint, or
   * from the snapshot it was started from, with a fresh checkpoint statistics tracker.
   */
  recoverAfterJobManagerRestart(latest: Snapshot | null): void {
    const now = Date.now()
    this.#pauseCounting()
    this.#clearTimers()
    this.checkpointHistory.length = 0
    this.checkpointCounts = { total: 0, completed: 0, failed: 0, restored: 0 }
    this.latestCompleted = null
    this.latestSavepoint = null
    this.latestFailed = null
    this.restored = null
    for (const key of JOB_STATUSES) this.timestamps[key] = 0
    this.state = 'INITIALIZING'
    this.timestamps.INITIALIZING = now
    this.#newAttempt()
    const snapshot = latest ?? this.restoredFrom
    if (!snapshot) this.#stateBase = 0
    this.start(snapshot ? { snapshot } : null)
  }

  /** Stops every timer of the job (the cluster is shutting down). */
  dispose(): void {
    this.#clearTimers()
    for (const t of this.#snapshotTimers) clearTimeout(t)
    this.#snapshotTimers.clear()
    if (this.#slotTimeout) clearTimeout(this.#slotTimeout)
  }

  // ---- checkpoints -----------------------------------------------------------------------------------------

  /**
   * Starts a checkpoint or savepoint; `onDone` runs when it completed (with its record) or failed (null).
   * Returns the record while it is in progress.
   */
  takeSnapshot(
    kind: 'CHECKPOINT' | 'SAVEPOINT' | 'SYNC_SAVEPOINT',
    durationMs: number,
    externalPath: (id: number) => string,
    onDone: (record: CheckpointRecord | null, failureMessage?: string) => void,
    failure?: string,
    format?: 'CANONICAL' | 'NATIVE',
  ): CheckpointRecord {
    const now = Date.now()
    const record: CheckpointRecord = {
      id: this.#nextCheckpointId++,
      status: 'IN_PROGRESS',
      isSavepoint: kind !== 'CHECKPOINT',
      format: kind === 'CHECKPOINT' ? undefined : (format ?? 'CANONICAL'),
      type: kind,
      triggerTimestamp: now,
      ackTimestamp: now,
      stateCount: 0,
      stateSize: 0,
      externalPath: null,
      discarded: false,
      durationMs,
    }
    this.checkpointCounts.total++
    this.#pushHistory(record)
    // Not cleared with the job's other timers: a cancelled job fails its in-progress snapshots instead.
    const timer = setTimeout(() => {
      this.#snapshotTimers.delete(timer)
      if (record.status !== 'IN_PROGRESS') return onDone(null, record.failureMessage)
      if (failure) {
        this.#failCheckpoint(record, failure)
        return onDone(null, failure)
      }
      const done = Date.now()
      record.status = 'COMPLETED'
      record.ackTimestamp = done
      record.stateCount = this.stateCount(done)
      record.stateSize = 1024 + record.stateCount * 8
      record.externalPath = externalPath(record.id)
      this.checkpointCounts.completed++
      if (record.isSavepoint) this.latestSavepoint = record
      else this.latestCompleted = record
      const snapshot = this.snapshotOf(record)
      if (!record.isSavepoint) this.#host.onCheckpointCompleted(this, snapshot)
      onDone(record)
    }, durationMs)
    timer.unref()
    this.#snapshotTimers.add(timer)
    return record
  }

  snapshotOf(record: CheckpointRecord): Snapshot {
    return {
      path: record.externalPath ?? '',
      jobId: this.id,
      checkpointId: record.id,
      isSavepoint: record.isSavepoint,
      stateCount: record.stateCount,
      operatorIds: this.vertices.map((v) => v.id),
      timestamp: record.ackTimestamp,
    }
  }

  // ---- internals -------------------------------------------------------------------------------------------

  #schedule(): void {
    if (this.#host.requestSlots(this)) {
      this.#deploy()
      return
    }
    this.#slotTimeout = setTimeout(() => {
      this.#slotTimeout = null
      if (this.state !== 'CREATED') return
      this.#host.releaseSlots(this)
      this.#failTerminally(
        {
          className: 'org.apache.flink.runtime.jobmanager.scheduler.NoResourceAvailableException',
          message: 'Could not acquire the minimum required resources.',
        },
        null,
      )
    }, this.#host.timing.slotRequestTimeoutMs)
    this.#slotTimeout.unref()
  }

  #deploy(): void {
    this.#timers.after(this.#host.timing.scheduleMs, () => {
      if (this.state !== 'RUNNING') this.#setState('RUNNING')
      TASK_STEPS.forEach((step, i) => {
        this.#timers.after(this.#host.timing.taskStepMs * (i + 1), () => {
          this.#setTasks(step)
          if (step === 'RUNNING') this.#onAllRunning()
        })
      })
    })
  }

  #onAllRunning(): void {
    this.#runningSince = Date.now()
    this.#startBase = this.#stateBase
    const interval = this.#host.timing.checkpointIntervalMs
    if (interval > 0) {
      this.#checkpointTimer = setInterval(() => {
        // Flink's default of one concurrent checkpoint: a periodic one waits while any snapshot (a savepoint too) runs
        if (!this.allTasksRunning || this.checkpointsInProgress > 0) return
        this.takeSnapshot(
          'CHECKPOINT',
          this.#host.timing.checkpointDurationMs,
          (id) => this.checkpointPath(id),
          () => {},
        )
      }, interval)
      this.#checkpointTimer.unref()
    }
    this.#host.onRunning(this)
  }

  checkpointPath(id: number): string {
    return `${this.#host.checkpointDir}/${this.id}/chk-${id}`
  }

  #restoreFrom(snapshot: Snapshot): void {
    const now = Date.now()
    this.restoredFrom = snapshot
    this.#stateBase = snapshot.stateCount
    this.#nextCheckpointId = Math.max(this.#nextCheckpointId, snapshot.checkpointId + 1)
    this.restored = {
      id: snapshot.checkpointId,
      timestamp: now,
      // As Flink reports it: under CLAIM the job takes a savepoint over as one of its own checkpoints.
      isSavepoint: snapshot.isSavepoint && this.claimMode !== 'CLAIM',
      externalPath: snapshot.path,
    }
    this.checkpointCounts.restored++
  }

  #restoreFromLatest(now: number): void {
    const latest = this.latestCompleted
    if (latest?.externalPath) {
      this.#stateBase = latest.stateCount
      this.restored = { id: latest.id, timestamp: now, isSavepoint: false, externalPath: latest.externalPath }
      this.checkpointCounts.restored++
    } else if (this.restoredFrom) {
      this.#restoreFrom(this.restoredFrom)
    } else {
      this.#stateBase = 0
    }
  }

  #newAttempt(): void {
    const now = Date.now()
    for (const v of this.vertices) {
      v.attempt++
      v.status = 'CREATED'
      v.startTime = -1
      v.endTime = -1
      v.stateTimestamps = { CREATED: now }
    }
  }

  #pauseCounting(): void {
    this.#stateBase = this.stateCount()
    this.#runningSince = null
    if (this.#checkpointTimer) clearInterval(this.#checkpointTimer)
    this.#checkpointTimer = null
  }

  #failInProgressCheckpoints(message: string): void {
    for (const record of this.checkpointHistory)
      if (record.status === 'IN_PROGRESS') this.#failCheckpoint(record, message)
  }

  #failCheckpoint(record: CheckpointRecord, message: string): void {
    const now = Date.now()
    record.status = 'FAILED'
    record.failureTimestamp = now
    record.failureMessage = message
    record.ackTimestamp = now
    this.checkpointCounts.failed++
    this.latestFailed = record
  }

  #pushHistory(record: CheckpointRecord): void {
    this.checkpointHistory.push(record)
    if (this.checkpointHistory.length > HISTORY_SIZE) this.checkpointHistory.shift()
  }

  #recordException(
    exception: JavaException,
    taskName: string | null,
    location: { endpoint: string; taskManagerId: string } | null,
    now: number,
  ): void {
    this.exceptions.push({
      exception,
      stacktrace: stackTrace(exception),
      timestamp: now,
      taskName,
      endpoint: location?.endpoint ?? null,
      taskManagerId: location?.taskManagerId ?? null,
    })
  }

  #failTerminally(exception: JavaException, taskName: string | null): void {
    const now = Date.now()
    this.#recordException(exception, taskName, null, now)
    this.failure = exception
    this.#pauseCounting()
    this.#clearTimers()
    this.#setTasks('CANCELED')
    this.#end('FAILED')
  }

  #end(state: JobStatus): void {
    this.#pauseCounting()
    this.#failInProgressCheckpoints('Checkpoint Coordinator is suspending.')
    this.#setState(state)
    this.endTime = Date.now()
    this.#host.releaseSlots(this)
  }

  #setState(state: JobStatus): void {
    const now = Date.now()
    this.state = state
    this.timestamps[state] = now
    this.lastModification = now
  }

  #setTasks(state: ExecutionState, except: Set<string> = new Set()): void {
    const now = Date.now()
    for (const v of this.vertices) {
      if (except.has(v.id)) continue
      v.status = state
      v.stateTimestamps[state] = now
      if (state === 'DEPLOYING' && v.startTime < 0) v.startTime = now
      if (state === 'FINISHED' || state === 'CANCELED' || state === 'FAILED') v.endTime = now
    }
    this.lastModification = now
  }

  #clearTimers(): void {
    this.#timers.clear()
    if (this.#checkpointTimer) clearInterval(this.#checkpointTimer)
    this.#checkpointTimer = null
  }
}
