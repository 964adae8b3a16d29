/**
 * The model rendered the way Flink's REST API writes it, version by version (1.20 vs 2.x field sets).
 * Every function returns plain JSON values.
 */
import type { FakeFlinkCluster, FakeTaskManager } from './cluster-model.ts'
import {
  type CheckpointRecord,
  EXECUTION_STATES,
  type ExecutionState,
  type FakeJob,
  type FakeVertex,
  JOB_STATUSES,
} from './fake-job.ts'
import { failureCause } from './java-errors.ts'

type Json = Record<string, unknown>

const LONG_MIN = '-9223372036854775808'

// ---- cluster -----------------------------------------------------------------------------------------------

export function dashboardConfig(cluster: FakeFlinkCluster): Json {
  return {
    'refresh-interval': 3000,
    'timezone-name': 'Coordinated Universal Time',
    'timezone-offset': 0,
    'flink-version': cluster.version.raw,
    'flink-revision': cluster.revision,
    features: {
      'web-submit': cluster.options.webSubmit,
      'web-cancel': true,
      'web-rescale': false,
      'web-history': false,
    },
  }
}

export function clusterOverview(cluster: FakeFlinkCluster): Json {
  const jobs = cluster.jobs()
  const count = (s: string) => jobs.filter((j) => j.state === s).length
  return {
    taskmanagers: cluster.taskManagers.length,
    'slots-total': cluster.slotsTotal,
    'slots-available': cluster.slotsAvailable,
    'slots-free-and-blocked': 0,
    'taskmanagers-blocked': 0,
    'jobs-running': jobs.filter((j) => !j.isTerminal).length,
    'jobs-finished': count('FINISHED'),
    'jobs-cancelled': count('CANCELED'),
    'jobs-failed': count('FAILED'),
    'flink-version': cluster.version.raw,
    'flink-commit': cluster.revision.split(' ')[0],
  }
}

export function configEntries(entries: Record<string, string>): Json[] {
  return Object.entries(entries).map(([key, value]) => ({ key, value }))
}

export function environment(): Json {
  return {
    jvm: {
      version: 'OpenJDK 64-Bit Server VM - Eclipse Adoptium - 17 - 17.0.13+11',
      arch: 'amd64',
      options: [
        '-Xmx1073741824',
        '-Xms1073741824',
        '-XX:MaxMetaspaceSize=268435456',
        '-Dlog.file=/opt/flink/log/flink-jobmanager.log',
      ],
    },
    classpath: [
      '/opt/flink/lib/flink-dist.jar',
      '/opt/flink/lib/log4j-api.jar',
      '/opt/flink/lib/log4j-core.jar',
    ],
  }
}

export function logList(prefix: string): Json {
  const now = Date.now()
  return {
    logs: [
      { name: `${prefix}.log`, size: 48_213, mtime: now },
      { name: `${prefix}.out`, size: 0, mtime: now },
    ],
  }
}

export function threadDump(): Json {
  const threads = [
    'main',
    'flink-pekko.actor.default-dispatcher-4',
    'Flink-RestClusterClient-IO-thread-1',
    'Checkpoint Timer',
  ]
  return {
    threadInfos: threads.map((name, i) => ({
      threadName: name,
      stringifiedThreadInfo: `"${name}" Id=${i + 1} WAITING\n\tat java.base@17.0.13/jdk.internal.misc.Unsafe.park(Native Method)\n`,
    })),
  }
}

const RESOURCE = {
  cpuCores: 4,
  taskHeapMemory: 383,
  taskOffHeapMemory: 0,
  managedMemory: 512,
  networkMemory: 128,
  extendedResources: {},
}
const NO_RESOURCE = {
  cpuCores: 0,
  taskHeapMemory: 0,
  taskOffHeapMemory: 0,
  managedMemory: 0,
  networkMemory: 0,
  extendedResources: {},
}

function slotResource(slots: number, of: number) {
  const f = of === 0 ? 0 : slots / of
  return {
    cpuCores: RESOURCE.cpuCores * f,
    taskHeapMemory: Math.floor(RESOURCE.taskHeapMemory * f),
    taskOffHeapMemory: 0,
    managedMemory: Math.floor(RESOURCE.managedMemory * f),
    networkMemory: Math.floor(RESOURCE.networkMemory * f),
    extendedResources: {},
  }
}

export function taskManagerInfo(cluster: FakeFlinkCluster, tm: FakeTaskManager): Json {
  const used = cluster.slotAllocation().get(tm.id)?.length ?? 0
  const free = tm.slots - used
  const info: Json = {
    id: tm.id,
    path: `pekko.tcp://flink@${tm.host}:${tm.rpcPort}/user/rpc/taskmanager_0`,
    dataPort: tm.dataPort,
    jmxPort: -1,
    timeSinceLastHeartbeat: Date.now() - 1_000,
    slotsNumber: tm.slots,
    freeSlots: free,
    totalResource: RESOURCE,
    freeResource: free === tm.slots ? RESOURCE : free === 0 ? NO_RESOURCE : slotResource(free, tm.slots),
    hardware: {
      cpuCores: 4,
      physicalMemory: 16_663_379_968,
      freeMemory: 402_653_184,
      managedMemory: 536_870_920,
    },
    memoryConfiguration: {
      frameworkHeap: 134_217_728,
      taskHeap: 402_653_174,
      frameworkOffHeap: 134_217_728,
      taskOffHeap: 0,
      networkMemory: 134_217_730,
      managedMemory: 536_870_920,
      jvmMetaspace: 268_435_456,
      jvmOverhead: 201_326_592,
      totalFlinkMemory: 1_342_177_280,
      totalProcessMemory: 1_811_939_328,
    },
  }
  if (cluster.version.atLeast(2, 3)) info.assignedTasks = used
  return info
}

export function taskManagerDetails(cluster: FakeFlinkCluster, tm: FakeTaskManager): Json {
  const slots = cluster.slotAllocation().get(tm.id) ?? []
  const metrics: Json = {
    heapUsed: 98_123_456,
    heapCommitted: 536_870_912,
    heapMax: 536_870_912,
    nonHeapUsed: 71_000_000,
    nonHeapCommitted: 75_000_000,
    nonHeapMax: -1,
    directCount: 12,
    directUsed: 134_217_731,
    directMax: 134_217_731,
    mappedCount: 0,
    mappedUsed: 0,
    mappedMax: 0,
    nettyShuffleMemorySegmentsAvailable: 4096 - slots.length * 16,
    nettyShuffleMemorySegmentsUsed: slots.length * 16,
    nettyShuffleMemorySegmentsTotal: 4096,
    nettyShuffleMemoryAvailable: (4096 - slots.length * 16) * 32_768,
    nettyShuffleMemoryUsed: slots.length * 16 * 32_768,
    nettyShuffleMemoryTotal: 134_217_728,
    garbageCollectors: [
      { name: 'G1_Young_Generation', count: 12, time: 87 },
      { name: 'G1_Old_Generation', count: 0, time: 0 },
    ],
  }
  if (!cluster.version.atLeast(2, 0)) {
    metrics.memorySegmentsAvailable = metrics.nettyShuffleMemorySegmentsAvailable
    metrics.memorySegmentsTotal = 4096
  }
  return {
    ...taskManagerInfo(cluster, tm),
    allocatedSlots: slots.map((s) => ({
      resource: slotResource(1, tm.slots),
      jobId: s.jobId,
      ...(cluster.version.atLeast(2, 3) ? { assignedTasks: 1 } : {}),
    })),
    metrics,
  }
}

// ---- jobs --------------------------------------------------------------------------------------------------

function taskCounts(job: FakeJob, lower: boolean): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(
    EXECUTION_STATES.map((s) => [lower ? s.toLowerCase() : s, 0]),
  )
  for (const v of job.vertices) {
    const key = lower ? v.status.toLowerCase() : v.status
    counts[key] = (counts[key] ?? 0) + v.parallelism
  }
  if (lower) counts.total = job.vertices.reduce((n, v) => n + v.parallelism, 0)
  return counts
}

function duration(start: number, end: number, now: number): number {
  if (start < 0) return -1
  return (end >= 0 ? end : now) - start
}

export function jobOverview(cluster: FakeFlinkCluster, job: FakeJob, now = Date.now()): Json {
  const json: Json = {
    jid: job.id,
    name: job.name,
    state: job.state,
    'start-time': job.startTime,
    'end-time': job.endTime,
    duration: duration(job.startTime, job.endTime, now),
    'last-modification': job.lastModification,
    tasks: taskCounts(job, true),
  }
  if (cluster.version.atLeast(2, 0)) json['pending-operators'] = 0
  if (cluster.version.atLeast(2, 3)) {
    json.jobType = 'STREAMING'
    json.schedulerType = cluster.options.scheduler
  }
  return json
}

export function ioMetrics(job: FakeJob, vertex: FakeVertex, share = 1): Json {
  const index = job.vertices.indexOf(vertex)
  const records = Math.floor(job.stateCount() * share)
  const isSource = index === 0
  const isSink = index === job.vertices.length - 1
  return {
    'read-bytes': isSource ? 0 : records * 64,
    'read-bytes-complete': true,
    'write-bytes': isSink ? 0 : records * 64,
    'write-bytes-complete': true,
    'read-records': isSource ? 0 : records,
    'read-records-complete': true,
    'write-records': isSink ? 0 : records,
    'write-records-complete': true,
    'accumulated-backpressured-time': 0,
    'accumulated-idle-time': 0,
    'accumulated-busy-time': 0,
  }
}

function vertexTasks(vertex: FakeVertex): Record<string, number> {
  const tasks: Record<string, number> = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0]))
  tasks[vertex.status] = vertex.parallelism
  return tasks
}

export function jobDetails(cluster: FakeFlinkCluster, job: FakeJob, now = Date.now()): Json {
  const statusCounts: Record<string, number> = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0]))
  for (const v of job.vertices) statusCounts[v.status] = (statusCounts[v.status] ?? 0) + 1
  const json: Json = {
    jid: job.id,
    name: job.name,
    isStoppable: false,
    state: job.state,
    'job-type': 'STREAMING',
    'start-time': job.startTime,
    'end-time': job.endTime,
    duration: duration(job.startTime, job.endTime, now),
    maxParallelism: job.maxParallelism,
    now,
    timestamps: Object.fromEntries(JOB_STATUSES.map((s) => [s, job.timestamps[s]])),
    vertices: job.vertices.map((v) => ({
      id: v.id,
      slotSharingGroupId: '2ce6b2f5a3b0e8e1d5f9a1b2c3d4e5f6',
      name: v.name,
      maxParallelism: v.maxParallelism,
      parallelism: v.parallelism,
      status: v.status,
      'start-time': v.startTime,
      'end-time': v.endTime,
      duration: duration(v.startTime, v.endTime, now),
      tasks: vertexTasks(v),
      metrics: ioMetrics(job, v),
    })),
    'status-counts': statusCounts,
    plan: jobPlan(job).plan,
  }
  if (!cluster.version.atLeast(1, 20)) delete json['job-type']
  if (cluster.version.atLeast(2, 0)) {
    json['stream-graph'] = { nodes: (jobPlan(job).plan as Json).nodes }
    json['pending-operators'] = 0
  }
  if (cluster.version.atLeast(2, 3)) {
    json['application-id'] = job.id
    json.schedulerType = cluster.options.scheduler
  }
  return json
}

/** The plan as Flink writes it: nodes sink first, descriptions with `<br/>` operator chains. */
export function jobPlan(job: {
  id: string
  name: string
  vertices: { id: string; name: string; description?: string; parallelism: number }[]
}): { plan: Json } {
  const nodes = job.vertices.map((v, i) => ({
    id: v.id,
    parallelism: v.parallelism,
    operator: '',
    operator_strategy: '',
    description: v.description ?? v.name,
    ...(i > 0
      ? {
          inputs: [
            {
              num: 0,
              id: job.vertices[i - 1]!.id,
              ship_strategy: i === 1 ? 'HASH' : 'FORWARD',
              exchange: 'pipelined_bounded',
            },
          ],
        }
      : {}),
    optimizer_properties: {},
  }))
  return { plan: { jid: job.id, name: job.name, type: 'STREAMING', nodes: nodes.reverse() } }
}

export function jobConfig(cluster: FakeFlinkCluster, job: FakeJob): Json {
  const executionConfig: Json = {
    'restart-strategy': 'Cluster level default restart strategy',
    'job-parallelism': job.parallelism,
    'object-reuse-mode': false,
    // Only ExecutionConfig#setGlobalJobParameters fills this; the example job sets none.
    'user-config': {},
  }
  if (!cluster.version.atLeast(2, 0)) executionConfig['execution-mode'] = 'PIPELINED'
  return { jid: job.id, name: job.name, 'execution-config': executionConfig }
}

/** The example job registers no accumulators; Flink always writes the (empty) serialized map. */
export function jobAccumulators(_job: FakeJob, _includeSerialized: boolean): Json {
  return { 'job-accumulators': [], 'user-task-accumulators': [], 'serialized-user-task-accumulators': {} }
}

export function jobExceptions(cluster: FakeFlinkCluster, job: FakeJob, maxExceptions: number): Json {
  const legacy = !cluster.version.atLeast(2, 0)
  const all = [...job.exceptions].reverse()
  const entries = all.slice(0, maxExceptions).map((e) => {
    const entry: Json = {
      exceptionName: e.exception.className,
      stacktrace: e.stacktrace,
      timestamp: e.timestamp,
      taskName: e.taskName,
      endpoint: e.endpoint,
      taskManagerId: e.taskManagerId,
      failureLabels: {},
      concurrentExceptions: [],
    }
    if (legacy) entry.location = e.endpoint
    return entry
  })
  const json: Json = { exceptionHistory: { entries, truncated: all.length > entries.length } }
  if (legacy) {
    const root = all[0]
    json['root-exception'] = root ? root.stacktrace : null
    json.timestamp = root ? root.timestamp : null
    json['all-exceptions'] = []
    json.truncated = false
  }
  return json
}

export function executionResult(cluster: FakeFlinkCluster, job: FakeJob): Json {
  if (!job.isTerminal) return { status: { id: 'IN_PROGRESS' } }
  const appStatus =
    job.state === 'FINISHED'
      ? 'SUCCEEDED'
      : job.state === 'FAILED'
        ? 'FAILED'
        : job.state === 'CANCELED'
          ? 'CANCELED'
          : 'UNKNOWN'
  const result: Json = {
    id: job.id,
    'application-status': appStatus,
    'accumulator-results': {},
    'net-runtime': job.endTime - job.startTime,
  }
  // A cancelled job's result has no failure cause (only a FAILED one has).
  if (job.state === 'FAILED' && job.failure) result['failure-cause'] = failureCause(job.failure)
  if (cluster.version.atLeast(2, 3)) {
    result.name = job.name
    result['application-id'] = job.id
    result['start-time'] = job.startTime
    result['end-time'] = job.endTime
  }
  return { status: { id: 'COMPLETED' }, 'job-execution-result': result }
}

// ---- checkpoints -------------------------------------------------------------------------------------------

/** An in-progress snapshot as Flink shows it: subtasks acknowledge and bytes grow as it goes. */
function progressOf(
  job: FakeJob,
  c: CheckpointRecord,
  subtasks: number,
): { acknowledged: number; size: number } {
  if (c.status === 'COMPLETED') return { acknowledged: subtasks, size: c.stateSize }
  if (c.status === 'FAILED') return { acknowledged: 0, size: 0 }
  const done = Math.min(1, (Date.now() - c.triggerTimestamp) / Math.max(1, c.durationMs))
  return {
    acknowledged: Math.floor(subtasks * done),
    size: Math.round((1024 + job.stateCount() * 8) * done),
  }
}

function checkpointJson(job: FakeJob, c: CheckpointRecord, withTasks = true): Json {
  const className = c.status === 'COMPLETED' ? 'completed' : c.status === 'FAILED' ? 'failed' : 'in_progress'
  const subtasks = job.vertices.reduce((n, v) => n + v.parallelism, 0)
  const progress = progressOf(job, c, subtasks)
  const json: Json = {
    className,
    id: c.id,
    status: c.status,
    is_savepoint: c.isSavepoint,
    savepointFormat: c.isSavepoint ? (c.format ?? 'CANONICAL') : null,
    trigger_timestamp: c.triggerTimestamp,
    latest_ack_timestamp: c.ackTimestamp,
    checkpointed_size: progress.size,
    state_size: progress.size,
    end_to_end_duration: c.ackTimestamp - c.triggerTimestamp,
    alignment_buffered: 0,
    processed_data: 0,
    persisted_data: 0,
    num_subtasks: subtasks,
    num_acknowledged_subtasks: progress.acknowledged,
    checkpoint_type: c.type,
  }
  if (withTasks) {
    json.tasks = Object.fromEntries(
      job.vertices.map((v) => [
        v.id,
        {
          id: c.id,
          status: c.status,
          latest_ack_timestamp: c.ackTimestamp,
          checkpointed_size: v === job.statefulVertex ? c.stateSize : 0,
          state_size: v === job.statefulVertex ? c.stateSize : 0,
          end_to_end_duration: c.ackTimestamp - c.triggerTimestamp,
          alignment_buffered: 0,
          processed_data: 0,
          persisted_data: 0,
          num_subtasks: v.parallelism,
          num_acknowledged_subtasks: c.status === 'COMPLETED' ? v.parallelism : 0,
        },
      ]),
    )
  }
  if (c.status === 'COMPLETED') {
    json.external_path = c.externalPath
    json.discarded = c.discarded
  }
  if (c.status === 'FAILED') {
    json.failure_timestamp = c.failureTimestamp
    json.failure_message = c.failureMessage
  }
  return json
}

function stats(values: number[]): Json {
  if (values.length === 0) return { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return {
    min: sorted[0],
    max: sorted.at(-1),
    avg: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
    p50: pick(0.5),
    p90: pick(0.9),
    p95: pick(0.95),
    p99: pick(0.99),
    p999: pick(0.999),
  }
}

export function checkpointingStatistics(job: FakeJob): Json {
  const completed = job.checkpointHistory.filter((c) => c.status === 'COMPLETED')
  const sizes = stats(completed.map((c) => c.stateSize))
  const zero = stats([])
  return {
    counts: {
      restored: job.checkpointCounts.restored,
      total: job.checkpointCounts.total,
      in_progress: job.checkpointsInProgress,
      completed: job.checkpointCounts.completed,
      failed: job.checkpointCounts.failed,
    },
    summary: {
      checkpointed_size: sizes,
      state_size: sizes,
      end_to_end_duration: stats(completed.map((c) => c.ackTimestamp - c.triggerTimestamp)),
      alignment_buffered: zero,
      processed_data: zero,
      persisted_data: zero,
    },
    latest: {
      completed: job.latestCompleted ? checkpointJson(job, job.latestCompleted, false) : null,
      savepoint: job.latestSavepoint ? checkpointJson(job, job.latestSavepoint, false) : null,
      failed: job.latestFailed ? checkpointJson(job, job.latestFailed, false) : null,
      restored: job.restored
        ? {
            id: job.restored.id,
            restore_timestamp: job.restored.timestamp,
            is_savepoint: job.restored.isSavepoint,
            external_path: job.restored.externalPath,
          }
        : null,
    },
    history: [...job.checkpointHistory].reverse().map((c) => checkpointJson(job, c, false)),
  }
}

export function checkpointDetails(job: FakeJob, checkpoint: CheckpointRecord): Json {
  return checkpointJson(job, checkpoint, true)
}

export function taskCheckpointDetails(job: FakeJob, c: CheckpointRecord, vertex: FakeVertex): Json {
  const done = c.status === 'COMPLETED'
  const size = vertex === job.statefulVertex ? c.stateSize : 0
  const zero = { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 }
  return {
    id: c.id,
    status: c.status,
    latest_ack_timestamp: c.ackTimestamp,
    checkpointed_size: size,
    state_size: size,
    end_to_end_duration: c.ackTimestamp - c.triggerTimestamp,
    alignment_buffered: 0,
    processed_data: 0,
    persisted_data: 0,
    num_subtasks: vertex.parallelism,
    num_acknowledged_subtasks: done ? vertex.parallelism : 0,
    summary: {
      checkpointed_size: zero,
      state_size: zero,
      end_to_end_duration: zero,
      checkpoint_duration: { sync: zero, async: zero },
      alignment: { buffered: zero, processed: zero, persisted: zero, duration: zero },
      start_delay: zero,
    },
    subtasks: Array.from({ length: vertex.parallelism }, (_, index) =>
      done
        ? {
            index,
            status: 'completed',
            ack_timestamp: c.ackTimestamp,
            end_to_end_duration: c.ackTimestamp - c.triggerTimestamp,
            checkpointed_size: Math.floor(size / vertex.parallelism),
            state_size: Math.floor(size / vertex.parallelism),
            checkpoint: { sync: 1, async: 2 },
            alignment: { buffered: 0, processed: 0, persisted: 0, duration: 0 },
            start_delay: 0,
            unaligned_checkpoint: false,
            aborted: false,
          }
        : { index, status: 'pending_or_failed' },
    ),
  }
}

/** The backend a job was given with `state.backend.type` (Flink's class names), hashmap by default. */
const STATE_BACKENDS: Record<string, string> = {
  hashmap: 'HashMapStateBackend',
  rocksdb: 'EmbeddedRocksDBStateBackend',
  forst: 'ForStStateBackend',
}

const RETENTION = 'execution.checkpointing.externalized-checkpoint-retention'

/** How Flink reports each retention setting (the fake's default is what the local clusters configure). */
function externalization(retention: string): Json {
  return {
    enabled: retention !== 'NO_EXTERNALIZED_CHECKPOINTS',
    delete_on_cancellation: retention !== 'RETAIN_ON_CANCELLATION',
  }
}

export function checkpointConfig(cluster: FakeFlinkCluster, job: FakeJob): Json {
  return {
    mode: 'exactly_once',
    interval:
      cluster.timing.checkpointIntervalMs > 0 ? cluster.timing.checkpointIntervalMs : Number.MAX_SAFE_INTEGER,
    timeout: 600_000,
    min_pause: 0,
    max_concurrent: 1,
    externalization: externalization(
      job.flinkConfiguration[RETENTION] ?? cluster.config()[RETENTION] ?? 'RETAIN_ON_CANCELLATION',
    ),
    state_backend:
      STATE_BACKENDS[job.flinkConfiguration['state.backend.type'] ?? 'hashmap'] ?? 'HashMapStateBackend',
    checkpoint_storage: 'FileSystemCheckpointStorage',
    unaligned_checkpoints: false,
    tolerable_failed_checkpoints: 0,
    aligned_checkpoint_timeout: 0,
    checkpoints_after_tasks_finish: true,
    state_changelog_enabled: false,
    changelog_periodic_materialization_interval: 600_000,
    changelog_storage: 'memory',
  }
}

// ---- metrics -----------------------------------------------------------------------------------------------

/** Flink's metric query service turns characters outside [A-Za-z0-9_-] in scope names into '_'. */
export function metricScope(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_')
}

/** Values of a subtask's metrics (`<subtask>.<metric>` ids at vertex level). */
export function subtaskMetricValues(
  job: FakeJob,
  vertex: FakeVertex,
  subtask: number,
): Record<string, string> {
  const running = vertex.status === 'RUNNING'
  const records = subtaskShare(job.stateCount(), vertex.parallelism, subtask)
  const index = job.vertices.indexOf(vertex)
  const values: Record<string, string> = {
    numRecordsIn: String(index === 0 ? 0 : records),
    numRecordsOut: String(index === job.vertices.length - 1 ? 0 : records),
    numRecordsInPerSecond: running && index > 0 ? '1000.0' : '0.0',
    numRecordsOutPerSecond: running && index < job.vertices.length - 1 ? '1000.0' : '0.0',
    busyTimeMsPerSecond: running ? '100' : 'NaN',
    idleTimeMsPerSecond: running ? '900' : '0',
    backPressuredTimeMsPerSecond: '0',
    [`${metricScope(vertex.name)}.numRecordsIn`]: String(index === 0 ? 0 : records),
    [`${metricScope(vertex.name)}.numRecordsOut`]: String(index === job.vertices.length - 1 ? 0 : records),
  }
  // Only vertices with inputs have an input watermark; the example job emits none (Long.MIN_VALUE).
  if (index > 0) values.currentInputWatermark = LONG_MIN
  // Every FLIP-27 SourceOperator registers it when it is set up, whatever the connector.
  if (index === 0 && !job.legacySources) values[`${metricScope(vertex.name)}.sourceIdleTime`] = '0'
  const backlog = index === 0 && running ? job.pendingRecords : undefined
  if (backlog !== undefined)
    values[`${metricScope(vertex.name)}.pendingRecords`] = String(
      subtaskShare(backlog, vertex.parallelism, subtask),
    )
  if (job.gate && vertex.name.includes('handover-gate')) {
    job.gate.tick(Date.now(), running && job.state === 'RUNNING')
    Object.assign(values, job.gate.metrics(subtask))
  }
  if (vertex === job.statefulVertex) {
    const scope = job.metricScope
    values[`${scope}.stateCount`] = String(subtaskShare(job.stateCount(), vertex.parallelism, subtask))
    values[`${scope}.processedSinceStart`] = String(
      subtaskShare(job.processedSinceStart(), vertex.parallelism, subtask),
    )
    if (job.release !== undefined) values[`${scope}.release`] = job.release
  }
  return values
}

/** The state counter split over subtasks; subtask 0 also holds the remainder, so the parts sum to the total. */
function subtaskShare(total: number, parallelism: number, subtask: number): number {
  const base = Math.floor(total / parallelism)
  return subtask === 0 ? base + (total % parallelism) : base
}

export function vertexMetricValues(job: FakeJob, vertex: FakeVertex): Record<string, string> {
  const values: Record<string, string> = {}
  for (let i = 0; i < vertex.parallelism; i++) {
    for (const [id, value] of Object.entries(subtaskMetricValues(job, vertex, i)))
      values[`${i}.${id}`] = value
  }
  return values
}

export function jobMetricValues(job: FakeJob): Record<string, string> {
  const now = Date.now()
  const running = job.state === 'RUNNING'
  const latest = job.latestCompleted
  return {
    uptime: String(running && job.timestamps.RUNNING ? now - job.timestamps.RUNNING : 0),
    downtime: '0',
    restartingTime: '0',
    numRestarts: String(job.numRestarts),
    lastCheckpointSize: String(latest?.stateSize ?? -1),
    lastCheckpointDuration: String(latest ? latest.ackTimestamp - latest.triggerTimestamp : -1),
    lastCheckpointRestoreTimestamp: String(job.restored?.timestamp ?? -1),
    lastCheckpointExternalPath: latest?.externalPath ?? 'n/a',
    numberOfCompletedCheckpoints: String(job.checkpointCounts.completed),
    numberOfFailedCheckpoints: String(job.checkpointCounts.failed),
    numberOfInProgressCheckpoints: String(job.checkpointsInProgress),
    totalNumberOfCheckpoints: String(job.checkpointCounts.total),
    stateCount: String(job.stateCount(now)),
  }
}

export function jobManagerMetricValues(cluster: FakeFlinkCluster): Record<string, string> {
  return {
    'Status.JVM.Memory.Heap.Used': '123456789',
    'Status.JVM.Memory.Heap.Max': '1073741824',
    'Status.JVM.CPU.Load': '0.02',
    'Status.JVM.Threads.Count': '64',
    numRegisteredTaskManagers: String(cluster.taskManagers.length),
    numRunningJobs: String(cluster.jobs().filter((j) => !j.isTerminal).length),
    taskSlotsAvailable: String(cluster.slotsAvailable),
    taskSlotsTotal: String(cluster.slotsTotal),
  }
}

export function taskManagerMetricValues(
  cluster: FakeFlinkCluster,
  tm: FakeTaskManager,
): Record<string, string> {
  const used = cluster.slotAllocation().get(tm.id)?.length ?? 0
  return {
    'Status.JVM.Memory.Heap.Used': String(98_123_456 + used * 1_000_000),
    'Status.JVM.Memory.Heap.Max': '536870912',
    'Status.JVM.CPU.Load': String(0.01 + used * 0.05),
    'Status.JVM.Threads.Count': String(40 + used * 8),
    'Status.Shuffle.Netty.AvailableMemorySegments': String(4096 - used * 16),
    'Status.Shuffle.Netty.TotalMemorySegments': '4096',
    'Status.Flink.Memory.Managed.Used': String(used * 134_217_728),
  }
}

/** `?get=a,b` → values of those ids (unknown ids left out); no `get` → the available ids. */
export function metricAnswer(values: Record<string, string>, get: string | null): Json[] {
  if (get === null) return Object.keys(values).map((id) => ({ id }))
  return get
    .split(',')
    .filter((id) => id in values)
    .map((id) => ({ id, value: values[id] }))
}

/** Aggregated metrics over several sources (subtasks, jobs, task managers). */
export function aggregatedAnswer(
  sources: Record<string, string>[],
  get: string | null,
  agg: string | null,
): Json[] {
  const ids = [...new Set(sources.flatMap((s) => Object.keys(s)))]
  if (get === null) return ids.map((id) => ({ id }))
  const wanted = agg ? agg.split(',') : ['min', 'max', 'avg', 'sum', 'skew']
  return get
    .split(',')
    .filter((id) => ids.includes(id))
    .map((id) => {
      const numbers = sources.map((s) => Number(s[id])).filter((n) => Number.isFinite(n))
      const sum = numbers.reduce((a, b) => a + b, 0)
      const all: Record<string, number> = {
        min: numbers.length ? Math.min(...numbers) : 0,
        max: numbers.length ? Math.max(...numbers) : 0,
        avg: numbers.length ? sum / numbers.length : 0,
        sum,
        skew: 0,
      }
      return { id, ...Object.fromEntries(wanted.filter((k) => k in all).map((k) => [k, all[k]])) }
    })
}

// ---- vertices ----------------------------------------------------------------------------------------------

function endpointFields(cluster: FakeFlinkCluster, subtask: number): Json {
  const tm = cluster.taskManagers[subtask % cluster.taskManagers.length]!
  const json: Json = { endpoint: `${tm.host}:${tm.dataPort}` }
  if (!cluster.version.atLeast(2, 0)) json.host = tm.host
  return json
}

function statusDurations(vertex: FakeVertex, now: number): Record<string, number> {
  const order: ExecutionState[] = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING']
  const durations: Record<string, number> = {}
  order.forEach((state, i) => {
    const start = vertex.stateTimestamps[state]
    if (start === undefined) {
      durations[state] = 0
      return
    }
    const next = order.slice(i + 1).find((s) => vertex.stateTimestamps[s] !== undefined)
    const end = next ? vertex.stateTimestamps[next]! : vertex.endTime > 0 ? vertex.endTime : now
    durations[state] = Math.max(0, end - start)
  })
  return durations
}

export function subtaskAttempt(
  cluster: FakeFlinkCluster,
  job: FakeJob,
  vertex: FakeVertex,
  subtask: number,
  attempt: number,
): Json {
  const now = Date.now()
  const current = attempt === vertex.attempt
  const tm = cluster.taskManagers[subtask % cluster.taskManagers.length]!
  return {
    subtask,
    status: current ? vertex.status : 'CANCELED',
    attempt,
    ...endpointFields(cluster, subtask),
    'start-time': vertex.startTime,
    'end-time': current ? vertex.endTime : now,
    duration: duration(vertex.startTime, current ? vertex.endTime : now, now),
    metrics: ioMetrics(job, vertex, 1 / vertex.parallelism),
    'taskmanager-id': tm.id,
    'status-duration': statusDurations(vertex, now),
    'other-concurrent-attempts': [],
  }
}

export function vertexDetails(cluster: FakeFlinkCluster, job: FakeJob, vertex: FakeVertex): Json {
  return {
    id: vertex.id,
    name: vertex.name,
    parallelism: vertex.parallelism,
    maxParallelism: vertex.maxParallelism,
    now: Date.now(),
    subtasks: Array.from({ length: vertex.parallelism }, (_, i) =>
      subtaskAttempt(cluster, job, vertex, i, vertex.attempt),
    ),
  }
}

export function vertexAccumulators(_job: FakeJob, vertex: FakeVertex): Json {
  return { id: vertex.id, 'user-accumulators': [] }
}

export function subtasksAccumulators(cluster: FakeFlinkCluster, _job: FakeJob, vertex: FakeVertex): Json {
  return {
    id: vertex.id,
    parallelism: vertex.parallelism,
    subtasks: Array.from({ length: vertex.parallelism }, (_, i) => ({
      subtask: i,
      attempt: vertex.attempt,
      ...endpointFields(cluster, i),
      'user-accumulators': [],
    })),
  }
}

export function subtaskTimes(cluster: FakeFlinkCluster, vertex: FakeVertex): Json {
  const now = Date.now()
  return {
    id: vertex.id,
    name: vertex.name,
    now,
    subtasks: Array.from({ length: vertex.parallelism }, (_, i) => ({
      subtask: i,
      ...endpointFields(cluster, i),
      duration: duration(vertex.startTime, vertex.endTime, now),
      timestamps: Object.fromEntries(EXECUTION_STATES.map((s) => [s, vertex.stateTimestamps[s] ?? 0])),
    })),
  }
}

export function vertexTaskManagers(cluster: FakeFlinkCluster, job: FakeJob, vertex: FakeVertex): Json {
  const now = Date.now()
  const byTm = new Map<number, number>()
  for (let i = 0; i < vertex.parallelism; i++) {
    const tm = i % cluster.taskManagers.length
    byTm.set(tm, (byTm.get(tm) ?? 0) + 1)
  }
  return {
    id: vertex.id,
    name: vertex.name,
    now,
    taskmanagers: [...byTm].map(([index, count]) => {
      const tm = cluster.taskManagers[index]!
      const counts: Record<string, number> = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0]))
      counts[vertex.status] = count
      return {
        ...endpointFields(cluster, index),
        'taskmanager-id': tm.id,
        status: vertex.status,
        'start-time': vertex.startTime,
        'end-time': vertex.endTime,
        duration: duration(vertex.startTime, vertex.endTime, now),
        metrics: ioMetrics(job, vertex, count / vertex.parallelism),
        'status-counts': counts,
      }
    }),
  }
}

export function vertexWatermarks(job: FakeJob, vertex: FakeVertex): Json[] {
  if (vertex.status !== 'RUNNING') return []
  return Array.from({ length: vertex.parallelism }, (_, i) => ({
    id: `${i}.currentInputWatermark`,
    value: subtaskMetricValues(job, vertex, i).currentInputWatermark,
  })).filter((w) => w.value !== undefined)
}

export function vertexBackPressure(vertex: FakeVertex): Json {
  if (vertex.status !== 'RUNNING') return { status: 'deprecated' }
  return {
    status: 'ok',
    backpressureLevel: 'ok',
    'backpressure-level': 'ok',
    'end-timestamp': Date.now(),
    subtasks: Array.from({ length: vertex.parallelism }, (_, i) => ({
      subtask: i,
      backpressureLevel: 'ok',
      'backpressure-level': 'ok',
      ratio: 0,
      idleRatio: 0.9,
      busyRatio: 0.1,
    })),
  }
}

/**
 * Flame graph of a vertex. Flink answers `{endTimestamp: -3}` (no data) while the first sampling runs, `-1`
 * for a vertex whose tasks do not run, and the sampled tree afterwards.
 */
export function vertexFlameGraph(cluster: FakeFlinkCluster, vertex: FakeVertex, firstRequest = false): Json {
  if (cluster.config()['rest.flamegraph.enabled'] !== 'true') return { endTimestamp: -2 }
  if (vertex.status !== 'RUNNING') return { endTimestamp: -1 }
  if (firstRequest) return { endTimestamp: -3 }
  return {
    endTimestamp: Date.now(),
    data: {
      name: 'root',
      value: 100,
      children: [
        {
          name: 'java.lang.Thread.run:840',
          value: 100,
          children: [
            { name: 'org.apache.flink.runtime.taskmanager.Task.run:566', value: 90, children: [] },
            {
              name: 'org.apache.flink.streaming.runtime.tasks.mailbox.MailboxProcessor.runMailboxLoop:231',
              value: 10,
            },
          ],
        },
      ],
    },
  }
}
