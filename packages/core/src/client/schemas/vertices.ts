import * as z from 'zod'
import { AggregatedMetricQuery, ExecutionState, Hex32, IoMetrics, UserAccumulator } from './common.ts'

/**
 * A Java double. Jackson writes NaN and the infinities as strings ("NaN"), and Flink reports busy time as
 * NaN for a task whose busy-time measurement is disabled.
 */
export const JavaDouble = z.union([z.number(), z.string()])

/** IO metrics of a subtask or vertex as the vertex endpoints send them; the accumulated times are in ms. */
export const VertexIoMetrics = IoMetrics.extend({
  'read-bytes-complete': z.boolean().optional(),
  'write-bytes-complete': z.boolean().optional(),
  'read-records-complete': z.boolean().optional(),
  'write-records-complete': z.boolean().optional(),
  'accumulated-backpressured-time': z.number().optional(),
  'accumulated-idle-time': z.number().optional(),
  'accumulated-busy-time': JavaDouble.optional(),
})
export type VertexIoMetrics = z.infer<typeof VertexIoMetrics>

/** Statistic name (min, max, avg, sum, median, p25, p75, p95) → value. */
const Statistics = z.record(z.string(), z.number())

/** Per-metric and per-state statistics over the subtasks. */
export const AggregatedTaskDetails = z.looseObject({
  metrics: z.record(z.string(), Statistics).optional(),
  'status-duration': z.record(z.string(), Statistics).optional(),
})

/** One execution attempt of a subtask. `host` was replaced by `endpoint` (host:port) in 1.19 and removed in 2.0. */
const SubtaskAttemptFields = z.looseObject({
  subtask: z.number().int(),
  status: ExecutionState,
  attempt: z.number().int(),
  endpoint: z.string(),
  host: z.string().optional(),
  'start-time': z.number(),
  'end-time': z.number(),
  duration: z.number(),
  metrics: VertexIoMetrics,
  'taskmanager-id': z.string(),
  /** Execution state → ms spent in it. */
  'status-duration': z.record(z.string(), z.number()).optional(),
})

// Flink builds the concurrent attempts without their own concurrent attempts, so one level of nesting suffices.
export const SubtaskAttempt = SubtaskAttemptFields.extend({
  /** Speculative attempts running next to this one; absent (or null) when there are none. */
  'other-concurrent-attempts': z.array(SubtaskAttemptFields).nullish(),
})
export type SubtaskAttempt = z.infer<typeof SubtaskAttempt>

export const JobVertexDetails = z.looseObject({
  id: Hex32,
  name: z.string(),
  parallelism: z.number().int(),
  maxParallelism: z.number().int(),
  now: z.number(),
  subtasks: z.array(SubtaskAttempt),
  aggregated: AggregatedTaskDetails.optional(),
})
export type JobVertexDetails = z.infer<typeof JobVertexDetails>

export const VertexAccumulators = z.looseObject({
  id: z.string(),
  'user-accumulators': z.array(UserAccumulator),
})
export type VertexAccumulators = z.infer<typeof VertexAccumulators>

export const SubtasksAccumulators = z.looseObject({
  id: z.string(),
  parallelism: z.number().int(),
  subtasks: z.array(
    z.looseObject({
      subtask: z.number().int(),
      attempt: z.number().int(),
      endpoint: z.string(),
      host: z.string().optional(),
      'user-accumulators': z.array(UserAccumulator),
    }),
  ),
})
export type SubtasksAccumulators = z.infer<typeof SubtasksAccumulators>

export const SubtaskAttemptAccumulators = z.looseObject({
  subtask: z.number().int(),
  attempt: z.number().int(),
  id: z.string(),
  'user-accumulators': z.array(UserAccumulator),
})
export type SubtaskAttemptAccumulators = z.infer<typeof SubtaskAttemptAccumulators>

export const BackPressureLevel = z.enum(['ok', 'low', 'high'])

const SubtaskBackPressureFields = {
  subtask: z.number().int(),
  'attempt-number': z.number().int().nullish(),
  backpressureLevel: BackPressureLevel,
  /** Share of time back-pressured, 0..1. */
  ratio: JavaDouble,
  idleRatio: JavaDouble.optional(),
  busyRatio: JavaDouble.optional(),
}

export const SubtaskBackPressure = z.looseObject({
  ...SubtaskBackPressureFields,
  'other-concurrent-attempts': z.array(z.looseObject(SubtaskBackPressureFields)).nullish(),
})

/**
 * Back pressure from the busy/idle/back-pressured time metrics. While no metrics have arrived yet Flink
 * answers only `{"status": "deprecated"}`; the other fields come with `status: "ok"`.
 */
export const VertexBackPressure = z.looseObject({
  status: z.enum(['ok', 'deprecated']),
  backpressureLevel: BackPressureLevel.nullish(),
  'end-timestamp': z.number().nullish(),
  subtasks: z.array(SubtaskBackPressure).nullish(),
})
export type VertexBackPressure = z.infer<typeof VertexBackPressure>

export const FlameGraphType = z.enum(['FULL', 'ON_CPU', 'OFF_CPU'])

export const FlameGraphQuery = z
  .strictObject({
    type: FlameGraphType.optional(),
    /** Samples one subtask only; all subtasks when left out. */
    subtaskindex: z.number().int().nonnegative().optional(),
  })
  .optional()

export interface FlameGraphNode {
  name: string
  value: number
  children?: FlameGraphNode[] | undefined
  [extra: string]: unknown
}

export const FlameGraphNode: z.ZodType<FlameGraphNode> = z.looseObject({
  name: z.string(),
  value: z.number(),
  get children() {
    return z.array(FlameGraphNode).optional()
  },
})

/**
 * `endTimestamp` is negative and `data` null when there is no graph: -1 the task finished, -2 the feature is
 * off (`rest.flamegraph.enabled`), -3 the first samples are still being taken.
 */
export const VertexFlameGraph = z.looseObject({
  endTimestamp: z.number(),
  data: FlameGraphNode.nullish(),
})
export type VertexFlameGraph = z.infer<typeof VertexFlameGraph>

/** `subtasks=0,2-4` selects subtasks by index or range; all subtasks when left out. */
export const SubtaskMetricsQuery = AggregatedMetricQuery.unwrap()
  .extend({
    subtasks: z
      .array(z.string().regex(/^\d+(-\d+)?$/, 'expected a subtask index or range such as 3 or 2-5'))
      .optional(),
  })
  .optional()

export const SubtasksTimes = z.looseObject({
  id: z.string(),
  name: z.string(),
  now: z.number(),
  subtasks: z.array(
    z.looseObject({
      subtask: z.number().int(),
      endpoint: z.string(),
      host: z.string().optional(),
      duration: z.number(),
      /** Execution state → epoch ms when the subtask entered it. */
      timestamps: z.record(z.string(), z.number()),
    }),
  ),
})
export type SubtasksTimes = z.infer<typeof SubtasksTimes>

export const VertexTaskManagers = z.looseObject({
  id: Hex32,
  name: z.string(),
  now: z.number(),
  taskmanagers: z.array(
    z.looseObject({
      endpoint: z.string(),
      host: z.string().optional(),
      'taskmanager-id': z.string(),
      status: ExecutionState,
      'start-time': z.number(),
      'end-time': z.number(),
      duration: z.number(),
      metrics: VertexIoMetrics,
      /** Uppercase execution state → number of this vertex's subtasks on the task manager in it. */
      'status-counts': z.record(z.string(), z.number()),
      aggregated: AggregatedTaskDetails.optional(),
    }),
  ),
})
export type VertexTaskManagers = z.infer<typeof VertexTaskManagers>

/**
 * `[{"id": "<subtask>.currentInputWatermark", "value": "<epoch ms>"}]`, a bare array like the metric
 * endpoints; "-9223372036854775808" (Long.MIN_VALUE) means no watermark yet.
 */
export const VertexWatermarks = z.array(z.looseObject({ id: z.string(), value: z.string() }))
export type VertexWatermarks = z.infer<typeof VertexWatermarks>
