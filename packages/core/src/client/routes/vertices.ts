import { defineRoutes } from '../route.ts'
import { AggregatedMetricList, MetricList, MetricQuery } from '../schemas/common.ts'
import {
  FlameGraphQuery,
  JobVertexDetails,
  SubtaskAttempt,
  SubtaskAttemptAccumulators,
  SubtaskMetricsQuery,
  SubtasksAccumulators,
  SubtasksTimes,
  VertexAccumulators,
  VertexBackPressure,
  VertexFlameGraph,
  VertexTaskManagers,
  VertexWatermarks,
} from '../schemas/vertices.ts'

export const vertexRoutes = defineRoutes({
  'GET /jobs/:jobid/vertices/:vertexid': {
    name: 'get',
    summary: 'Details of a job vertex: parallelism and the current attempt of every subtask.',
    response: JobVertexDetails,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/accumulators': {
    name: 'accumulators',
    summary: 'User accumulators of a job vertex, aggregated over its subtasks.',
    response: VertexAccumulators,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/backpressure': {
    name: 'backpressure',
    summary: 'Back pressure of a job vertex and its subtasks.',
    response: VertexBackPressure,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/flamegraph': {
    name: 'flamegraph',
    summary: 'Flame graph of a job vertex (needs rest.flamegraph.enabled).',
    query: FlameGraphQuery,
    response: VertexFlameGraph,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/metrics': {
    name: 'metrics',
    summary: 'Metrics of a job vertex; without `get` the ids of the available metrics.',
    query: MetricQuery,
    response: MetricList,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/subtasks/accumulators': {
    name: 'subtasksAccumulators',
    summary: 'User accumulators of every subtask of a job vertex.',
    response: SubtasksAccumulators,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics': {
    name: 'subtasksMetrics',
    summary: 'Metrics aggregated over the subtasks of a job vertex (all, or those selected by `subtasks`).',
    query: SubtaskMetricsQuery,
    response: AggregatedMetricList,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex': {
    name: 'subtask',
    summary: 'The current execution attempt of a subtask.',
    response: SubtaskAttempt,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt': {
    name: 'subtaskAttempt',
    summary: 'One execution attempt of a subtask, current or past.',
    response: SubtaskAttempt,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt/accumulators': {
    name: 'subtaskAttemptAccumulators',
    summary: 'User accumulators of one execution attempt of a subtask.',
    response: SubtaskAttemptAccumulators,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics': {
    name: 'subtaskMetrics',
    summary: 'Metrics of one subtask; without `get` the ids of the available metrics.',
    query: MetricQuery,
    response: MetricList,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/subtasktimes': {
    name: 'subtaskTimes',
    summary: 'When each subtask of a job vertex entered each execution state.',
    response: SubtasksTimes,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/taskmanagers': {
    name: 'taskmanagers',
    summary: 'The task managers running a job vertex, with the state and IO metrics of its subtasks on each.',
    response: VertexTaskManagers,
    retry: 'always',
  },
  'GET /jobs/:jobid/vertices/:vertexid/watermarks': {
    name: 'watermarks',
    summary: 'Current input watermark of every subtask of a job vertex.',
    response: VertexWatermarks,
    retry: 'always',
  },
})
