import * as z from 'zod'
import { AggregatedMetricQuery, Hex32 } from './common.ts'

/**
 * A TaskManager's ResourceID as Flink prints it: `<host>:<port>-<6 hex>` on a standalone cluster, the pod
 * or container name elsewhere. Not the 32-hex string the spec claims.
 */
export const TaskManagerId = z.string().min(1)

/** Resources in MB (memory) and cores; -1 everywhere for an unknown profile. */
export const ResourceProfile = z.looseObject({
  cpuCores: z.number(),
  taskHeapMemory: z.number(),
  taskOffHeapMemory: z.number(),
  managedMemory: z.number(),
  networkMemory: z.number(),
  extendedResources: z.record(z.string(), z.number()).optional(),
})

/** The machine as the TaskManager sees it; memory in bytes. */
export const HardwareDescription = z.looseObject({
  cpuCores: z.number(),
  physicalMemory: z.number(),
  freeMemory: z.number(),
  managedMemory: z.number(),
})

/** The TaskManager's memory model, in bytes. */
export const TaskExecutorMemoryConfiguration = z.looseObject({
  frameworkHeap: z.number().optional(),
  taskHeap: z.number().optional(),
  frameworkOffHeap: z.number().optional(),
  taskOffHeap: z.number().optional(),
  networkMemory: z.number().optional(),
  managedMemory: z.number().optional(),
  jvmMetaspace: z.number().optional(),
  jvmOverhead: z.number().optional(),
  totalFlinkMemory: z.number().optional(),
  totalProcessMemory: z.number().optional(),
})

const taskManagerFields = {
  id: TaskManagerId,
  /** The TaskManager's RPC address, e.g. pekko.tcp://flink@10.0.0.5:6122/user/rpc/taskmanager_0. */
  path: z.string(),
  dataPort: z.number().int(),
  jmxPort: z.number().int(),
  /** Despite the name, the epoch ms of the last heartbeat (the web UI shows it as a date). */
  timeSinceLastHeartbeat: z.number(),
  slotsNumber: z.number().int(),
  freeSlots: z.number().int(),
  totalResource: ResourceProfile,
  freeResource: ResourceProfile,
  hardware: HardwareDescription,
  memoryConfiguration: TaskExecutorMemoryConfiguration,
  /** Only sent when true (the TaskManager is on the blocklist). */
  blocked: z.boolean().optional(),
  /** Flink 2.3+. */
  assignedTasks: z.number().int().optional(),
}

export const TaskManagerInfo = z.looseObject(taskManagerFields)
export type TaskManagerInfo = z.infer<typeof TaskManagerInfo>

export const TaskManagerList = z.looseObject({ taskmanagers: z.array(TaskManagerInfo) })
export type TaskManagerList = z.infer<typeof TaskManagerList>

/** JVM and network-buffer metrics of a TaskManager; memory in bytes. */
export const TaskManagerMetrics = z.looseObject({
  heapUsed: z.number(),
  heapCommitted: z.number(),
  heapMax: z.number(),
  nonHeapUsed: z.number(),
  nonHeapCommitted: z.number(),
  nonHeapMax: z.number(),
  directCount: z.number(),
  directUsed: z.number(),
  directMax: z.number(),
  mappedCount: z.number(),
  mappedUsed: z.number(),
  mappedMax: z.number(),
  nettyShuffleMemorySegmentsAvailable: z.number(),
  nettyShuffleMemorySegmentsUsed: z.number(),
  nettyShuffleMemorySegmentsTotal: z.number(),
  nettyShuffleMemoryAvailable: z.number(),
  nettyShuffleMemoryUsed: z.number(),
  nettyShuffleMemoryTotal: z.number(),
  /** Removed in 2.0: the nettyShuffleMemorySegments* fields carry the same numbers. */
  memorySegmentsAvailable: z.number().optional(),
  memorySegmentsTotal: z.number().optional(),
  garbageCollectors: z.array(z.looseObject({ name: z.string(), count: z.number(), time: z.number() })),
})
export type TaskManagerMetrics = z.infer<typeof TaskManagerMetrics>

export const SlotInfo = z.looseObject({
  resource: ResourceProfile,
  jobId: Hex32,
  /** Flink 2.3+. */
  assignedTasks: z.number().int().optional(),
})

export const TaskManagerDetails = z.looseObject({
  ...taskManagerFields,
  allocatedSlots: z.array(SlotInfo).optional(),
  metrics: TaskManagerMetrics,
})
export type TaskManagerDetails = z.infer<typeof TaskManagerDetails>

/** `taskmanagers=<id>,<id>` limits the aggregation to those TaskManagers; all of them when left out. */
export const TaskManagersMetricsQuery = AggregatedMetricQuery.unwrap()
  .extend({ taskmanagers: z.array(TaskManagerId).optional() })
  .optional()
