/**
 * Schema pieces shared by several resources. Responses are loose objects: a field a newer Flink adds must
 * never break a call. Request bodies are strict: a misspelt field is an error here, not silently ignored
 * by Flink's lenient JSON mapper.
 */
import * as z from 'zod'

export const Hex32 = z.string().regex(/^[0-9a-f]{32}$/, 'expected 32 lowercase hex characters')

export const JobStatus = z.enum([
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'FAILING',
  'FAILED',
  'CANCELLING',
  'CANCELED',
  'FINISHED',
  'RESTARTING',
  'SUSPENDED',
  'RECONCILING',
])
export type JobStatus = z.infer<typeof JobStatus>

export const ExecutionState = z.enum([
  'CREATED',
  'SCHEDULED',
  'DEPLOYING',
  'RUNNING',
  'FINISHED',
  'CANCELING',
  'CANCELED',
  'FAILED',
  'RECONCILING',
  'INITIALIZING',
])
export type ExecutionState = z.infer<typeof ExecutionState>

/** An empty acknowledgement such as `{}` (DELETE /jars/:jarid, PATCH /jobs/:jobid). */
export const Empty = z.looseObject({})

/** `{"request-id": "<TriggerId>"}`, the answer to every asynchronous operation trigger. */
export const TriggerResponse = z.looseObject({ 'request-id': Hex32 })
export type TriggerResponse = z.infer<typeof TriggerResponse>

/** Flink's SerializedThrowable as it appears on the wire. */
export const FailureCause = z.looseObject({
  class: z.string(),
  'stack-trace': z.string(),
  'serialized-throwable': z.string().optional(),
})
export type FailureCause = z.infer<typeof FailureCause>

/** `{status: {id}, operation}` of an asynchronous operation; `operation` is null while in progress. */
export function asyncResult<T extends z.ZodType>(operation: T) {
  return z.looseObject({
    status: z.looseObject({ id: z.enum(['IN_PROGRESS', 'COMPLETED']) }),
    operation: operation.nullish(),
  })
}

/** Metric endpoints answer with a bare array, not the `{metrics: [...]}` the OpenAPI spec shows. */
export const MetricList = z.array(z.looseObject({ id: z.string(), value: z.string().optional() }))
export type MetricList = z.infer<typeof MetricList>

export const AggregatedMetricList = z.array(
  z.looseObject({
    id: z.string(),
    min: z.number().optional(),
    max: z.number().optional(),
    avg: z.number().optional(),
    sum: z.number().optional(),
    skew: z.number().optional(),
  }),
)
export type AggregatedMetricList = z.infer<typeof AggregatedMetricList>

/** `?get=a,b` selects metrics by id; without it Flink lists the available ids. */
export const MetricQuery = z.strictObject({ get: z.array(z.string().min(1)).optional() }).optional()

export const AggregatedMetricQuery = z
  .strictObject({
    get: z.array(z.string().min(1)).optional(),
    agg: z.array(z.enum(['min', 'max', 'sum', 'avg', 'skew'])).optional(),
  })
  .optional()

/** Key/value configuration entries (GET /jobmanager/config and friends). */
export const ConfigEntries = z.array(z.looseObject({ key: z.string(), value: z.string() }))

/** Log file listing of the JobManager and TaskManagers. */
export const LogList = z.looseObject({
  logs: z.array(z.looseObject({ name: z.string(), size: z.number(), mtime: z.number().optional() })),
})

export const ThreadDump = z.looseObject({
  threadInfos: z.array(z.looseObject({ threadName: z.string(), stringifiedThreadInfo: z.string() })),
})

/** IO metrics of a vertex or subtask (`metrics` in job details). */
export const IoMetrics = z.looseObject({
  'read-bytes': z.number(),
  'write-bytes': z.number(),
  'read-records': z.number(),
  'write-records': z.number(),
})

export const UserAccumulator = z.looseObject({ name: z.string(), type: z.string(), value: z.string() })
