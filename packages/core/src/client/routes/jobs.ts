import * as z from 'zod'
import { defineRoutes } from '../route.ts'
import {
  AggregatedMetricList,
  Empty,
  Hex32,
  MetricList,
  MetricQuery,
  TriggerResponse,
} from '../schemas/common.ts'
import {
  AccumulatorsQuery,
  CancelQuery,
  ExceptionsQuery,
  JobAccumulators,
  JobConfig,
  JobDetails,
  JobExceptions,
  JobExecutionResult,
  JobIdsWithStatus,
  JobPlan,
  JobStatusInfo,
  JobSubmitRequest,
  JobSubmitResponse,
  JobsOverview,
  RescalingQuery,
  ResourceRequirements,
  ResourceRequirementsUpdate,
} from '../schemas/jobs.ts'
import { OperationStatus } from '../schemas/savepoints.ts'

const AggregatedJobMetricsQuery = z
  .strictObject({
    get: z.array(z.string().min(1)).optional(),
    agg: z.array(z.enum(['min', 'max', 'sum', 'avg', 'skew'])).optional(),
    jobs: z.array(Hex32).optional(),
  })
  .optional()

export const jobRoutes = defineRoutes({
  'GET /jobs': {
    name: 'list',
    summary: 'Ids and statuses of all jobs.',
    response: JobIdsWithStatus,
    retry: 'always',
  },
  'POST /jobs': {
    name: 'submitJobGraph',
    summary:
      'Submits a serialized JobGraph (what `flink run` does); jar-based deployments use POST /jars/:jarid/run.',
    body: JobSubmitRequest,
    response: JobSubmitResponse,
    retry: 'never',
  },
  'GET /jobs/overview': {
    name: 'overview',
    summary: 'Name, state, times and task counts of all jobs.',
    response: JobsOverview,
    retry: 'always',
  },
  'GET /jobs/metrics': {
    name: 'aggregatedMetrics',
    summary: 'Job metrics aggregated over jobs.',
    query: AggregatedJobMetricsQuery,
    response: AggregatedMetricList,
    retry: 'always',
  },
  'GET /jobs/:jobid': {
    name: 'get',
    summary: 'Job details: state, per-status timestamps, vertices.',
    response: JobDetails,
    retry: 'always',
  },
  'PATCH /jobs/:jobid': {
    name: 'cancel',
    summary: 'Cancels the job (no savepoint).',
    query: CancelQuery,
    response: Empty,
    // Cancelling twice is harmless: the second answer is 409 "already reached another terminal state".
    retry: 'always',
  },
  'GET /jobs/:jobid/status': {
    name: 'status',
    summary: 'Just the job status; cheaper than the details.',
    response: JobStatusInfo,
    retry: 'always',
  },
  'GET /jobs/:jobid/plan': {
    name: 'plan',
    summary: 'The dataflow plan of the job.',
    response: JobPlan,
    retry: 'always',
  },
  'GET /jobs/:jobid/config': {
    name: 'config',
    summary: 'The execution configuration of the job.',
    response: JobConfig,
    retry: 'always',
  },
  'GET /jobs/:jobid/accumulators': {
    name: 'accumulators',
    summary: 'Aggregated user accumulators of the job.',
    query: AccumulatorsQuery,
    response: JobAccumulators,
    retry: 'always',
  },
  'GET /jobs/:jobid/exceptions': {
    name: 'exceptions',
    summary: 'Exception history of the job (plus the deprecated root exception on 1.20).',
    query: ExceptionsQuery,
    response: JobExceptions,
    retry: 'always',
  },
  'GET /jobs/:jobid/execution-result': {
    name: 'executionResult',
    summary: 'Final result of a job once it has reached a terminal state.',
    response: JobExecutionResult,
    retry: 'always',
  },
  'GET /jobs/:jobid/metrics': {
    name: 'metrics',
    summary: 'Job-level metrics; without `get`, the available metric ids.',
    query: MetricQuery,
    response: MetricList,
    retry: 'always',
  },
  'PATCH /jobs/:jobid/rescaling': {
    name: 'rescale',
    summary: 'Triggers rescaling (disabled in current Flink releases, which answer with an error).',
    query: RescalingQuery,
    response: TriggerResponse,
    retry: 'never',
  },
  'GET /jobs/:jobid/rescaling/:triggerid': {
    name: 'rescalingStatus',
    summary: 'Status of a rescaling operation.',
    response: OperationStatus,
    // Flink answers 503 "temporarily disabled" here for good; retrying that only wastes the caller's time.
    retry: 'never',
  },
  'GET /jobs/:jobid/resource-requirements': {
    name: 'resourceRequirements',
    summary: 'Per-vertex parallelism bounds (adaptive scheduler).',
    response: ResourceRequirements,
    retry: 'always',
  },
  'PUT /jobs/:jobid/resource-requirements': {
    name: 'updateResourceRequirements',
    summary: 'Changes per-vertex parallelism bounds (adaptive scheduler).',
    body: ResourceRequirementsUpdate,
    response: Empty,
    retry: 'always',
  },
})
