import { defineRoutes } from '../route.ts'
import { ConfigEntries, LogList, MetricList, MetricQuery, ThreadDump } from '../schemas/common.ts'
import { JobManagerEnvironment } from '../schemas/jobmanager.ts'

export const jobManagerRoutes = defineRoutes({
  'GET /jobmanager/config': {
    name: 'config',
    summary: 'The JobManager configuration as key/value entries.',
    response: ConfigEntries,
    retry: 'always',
  },
  'GET /jobmanager/environment': {
    name: 'environment',
    summary: 'JVM version, architecture and options, and the classpath of the JobManager.',
    response: JobManagerEnvironment,
    retry: 'always',
  },
  'GET /jobmanager/logs': {
    name: 'logs',
    summary: 'Log files in the JobManager log directory.',
    response: LogList,
    retry: 'always',
  },
  'GET /jobmanager/metrics': {
    name: 'metrics',
    summary: 'Metrics of the JobManager; without `get` the ids of the available metrics.',
    query: MetricQuery,
    response: MetricList,
    retry: 'always',
  },
  'GET /jobmanager/thread-dump': {
    name: 'threadDump',
    summary: 'A thread dump of the JobManager JVM.',
    response: ThreadDump,
    retry: 'always',
  },
})
