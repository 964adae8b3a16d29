import * as z from 'zod'
import { ExecutionState, FailureCause, Hex32, IoMetrics, JobStatus, UserAccumulator } from './common.ts'

export const JobIdsWithStatus = z.looseObject({
  jobs: z.array(z.looseObject({ id: Hex32, status: JobStatus })),
})

/** `tasks` in the jobs overview: lowercase execution state names plus `total`. */
const TaskCountsLower = z.record(z.string(), z.number())

export const JobOverview = z.looseObject({
  jid: Hex32,
  name: z.string(),
  state: JobStatus,
  'start-time': z.number(),
  'end-time': z.number(),
  duration: z.number(),
  'last-modification': z.number(),
  tasks: TaskCountsLower,
})
export type JobOverview = z.infer<typeof JobOverview>

export const JobsOverview = z.looseObject({ jobs: z.array(JobOverview) })

export const JobVertexSummary = z.looseObject({
  id: Hex32,
  name: z.string(),
  maxParallelism: z.number().optional(),
  parallelism: z.number(),
  status: ExecutionState,
  'start-time': z.number(),
  'end-time': z.number(),
  duration: z.number(),
  /** Uppercase execution state → number of subtasks in it. */
  tasks: z.record(z.string(), z.number()),
  metrics: IoMetrics.optional(),
})
export type JobVertexSummary = z.infer<typeof JobVertexSummary>

export const JobDetails = z.looseObject({
  jid: Hex32,
  name: z.string(),
  isStoppable: z.boolean().optional(),
  state: JobStatus,
  'job-type': z.string().optional(),
  'start-time': z.number(),
  'end-time': z.number(),
  duration: z.number(),
  maxParallelism: z.number().optional(),
  now: z.number(),
  /** Job status → epoch ms when the job entered it (0 if never). */
  timestamps: z.record(z.string(), z.number()),
  vertices: z.array(JobVertexSummary),
  'status-counts': z.record(z.string(), z.number()).optional(),
  plan: z.unknown().optional(),
})
export type JobDetails = z.infer<typeof JobDetails>

export const JobStatusInfo = z.looseObject({ status: JobStatus })

export const CancelQuery = z.strictObject({ mode: z.enum(['cancel', 'CANCEL']).optional() }).optional()

export const JobPlanNode = z.looseObject({
  id: z.string(),
  parallelism: z.number().optional(),
  operator: z.string().optional(),
  description: z.string().optional(),
  inputs: z.array(z.looseObject({ id: z.string() })).optional(),
})

/** The job graph as planned: used to compare the operators of two releases. */
export const JobPlan = z.looseObject({
  plan: z.looseObject({
    jid: z.string().optional(),
    name: z.string().optional(),
    type: z.string().optional(),
    nodes: z.array(JobPlanNode),
  }),
})
export type JobPlan = z.infer<typeof JobPlan>

export const JobConfig = z.looseObject({
  jid: Hex32,
  name: z.string(),
  'execution-config': z
    .looseObject({
      'restart-strategy': z.string().optional(),
      'job-parallelism': z.number().optional(),
      'object-reuse-mode': z.boolean().optional(),
      'user-config': z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
})

export const JobAccumulators = z.looseObject({
  'job-accumulators': z.array(z.unknown()),
  'user-task-accumulators': z.array(UserAccumulator),
  'serialized-user-task-accumulators': z.record(z.string(), z.unknown()).optional(),
})

export const AccumulatorsQuery = z.strictObject({ includeSerializedValue: z.boolean().optional() }).optional()

const ExceptionInfo = z.looseObject({
  exceptionName: z.string(),
  stacktrace: z.string(),
  timestamp: z.number(),
  taskName: z.string().nullish(),
  endpoint: z.string().nullish(),
  taskManagerId: z.string().nullish(),
  failureLabels: z.record(z.string(), z.string()).optional(),
})

const RootExceptionInfo = ExceptionInfo.extend({ concurrentExceptions: z.array(ExceptionInfo).optional() })

/** 2.x sends only `exceptionHistory`; 1.20 also sends the deprecated root-exception fields. */
export const JobExceptions = z.looseObject({
  exceptionHistory: z.looseObject({ entries: z.array(RootExceptionInfo), truncated: z.boolean() }),
  'root-exception': z.string().nullish(),
  timestamp: z.number().nullish(),
  'all-exceptions': z.array(z.unknown()).optional(),
  truncated: z.boolean().optional(),
})
export type JobExceptions = z.infer<typeof JobExceptions>

export const ExceptionsQuery = z
  .strictObject({
    maxExceptions: z.number().int().positive().optional(),
    failureLabelFilter: z.array(z.string()).optional(),
  })
  .optional()

export const JobExecutionResult = z.looseObject({
  status: z.looseObject({ id: z.enum(['IN_PROGRESS', 'COMPLETED']) }),
  'job-execution-result': z
    .looseObject({
      id: Hex32,
      'application-status': z.string(),
      'accumulator-results': z.record(z.string(), z.unknown()).optional(),
      'net-runtime': z.number(),
      'failure-cause': FailureCause.optional(),
    })
    .optional(),
})

const Bound = z.looseObject({ lowerBound: z.number().int(), upperBound: z.number().int() })

/** Vertex id → parallelism bounds (adaptive scheduler). */
export const ResourceRequirements = z.record(z.string(), z.looseObject({ parallelism: Bound }))
export const ResourceRequirementsUpdate = z.record(
  Hex32,
  z.strictObject({
    parallelism: z.strictObject({
      lowerBound: z.number().int().min(1),
      upperBound: z.number().int().min(-1),
    }),
  }),
)

export const RescalingQuery = z.strictObject({ parallelism: z.number().int().positive() })

/**
 * POST /jobs submits a serialized JobGraph (1.x) or ExecutionPlan (2.x) with its files as multipart; this JSON
 * part names those files. Without the files Flink answers 400, so this client only describes the request.
 */
export const JobSubmitRequest = z
  .strictObject({
    jobGraphFileName: z.string().min(1).optional(),
    executionPlanFileName: z.string().min(1).optional(),
    jobJarFileNames: z.array(z.string()).optional(),
    artifactFileNames: z.array(z.looseObject({ entryName: z.string(), fileName: z.string() })).optional(),
  })
  .refine(
    (b) => (b.jobGraphFileName ?? b.executionPlanFileName) !== undefined,
    'name the job graph file (1.x) or execution plan file (2.x)',
  )
export const JobSubmitResponse = z.looseObject({ jobUrl: z.string() })
