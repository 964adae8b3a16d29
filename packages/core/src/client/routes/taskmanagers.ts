import { defineRoutes } from '../route.ts'
import { AggregatedMetricList, LogList, MetricList, MetricQuery, ThreadDump } from '../schemas/common.ts'
import { TaskManagerDetails, TaskManagerList, TaskManagersMetricsQuery } from '../schemas/taskmanagers.ts'

export const taskManagerRoutes = defineRoutes({
  'GET /taskmanagers': {
    name: 'list',
    summary: 'All registered TaskManagers with their slots, resources and hardware.',
    response: TaskManagerList,
    retry: 'always',
  },
  'GET /taskmanagers/metrics': {
    name: 'aggregatedMetrics',
    summary: 'Metrics aggregated over all TaskManagers, or those selected by `taskmanagers`.',
    query: TaskManagersMetricsQuery,
    response: AggregatedMetricList,
    retry: 'always',
  },
  'GET /taskmanagers/:taskmanagerid': {
    name: 'get',
    summary: 'Details of one TaskManager: allocated slots, memory and JVM metrics.',
    response: TaskManagerDetails,
    retry: 'always',
  },
  'GET /taskmanagers/:taskmanagerid/logs': {
    name: 'logs',
    summary: 'Log files in the TaskManager log directory.',
    response: LogList,
    retry: 'always',
  },
  'GET /taskmanagers/:taskmanagerid/metrics': {
    name: 'metrics',
    summary: 'Metrics of one TaskManager; without `get` the ids of the available metrics.',
    query: MetricQuery,
    response: MetricList,
    retry: 'always',
  },
  'GET /taskmanagers/:taskmanagerid/thread-dump': {
    name: 'threadDump',
    summary: 'A thread dump of the TaskManager JVM.',
    response: ThreadDump,
    retry: 'always',
  },
})
