import { jobRoutes } from './jobs.ts'
import { testRouteGroup } from './route-test-kit.ts'

const JOB = '7d793037a0760186574b0282f2f435e7'
const OTHER = '1a2b3c4d5e6f708192a3b4c5d6e7f809'
const SOURCE = 'cbc357ccb763df2852fee8c4fc7d55f2'
const COUNTER = '90bea66de1c231edf33913ecd54406c1'
const TRIGGER = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'

const vertex = (id: string, name: string) => ({
  id,
  slotSharingGroupId: 'b2a3f2c1d0e9f8a7b6c5d4e3f2a1b0c9',
  name,
  maxParallelism: 128,
  parallelism: 2,
  status: 'RUNNING',
  'start-time': 1764288001000,
  'end-time': -1,
  duration: 60000,
  tasks: {
    CREATED: 0,
    SCHEDULED: 0,
    DEPLOYING: 0,
    INITIALIZING: 0,
    RUNNING: 2,
    FINISHED: 0,
    CANCELING: 0,
    CANCELED: 0,
    FAILED: 0,
    RECONCILING: 0,
  },
  metrics: {
    'read-bytes': 0,
    'read-bytes-complete': true,
    'write-bytes': 1024,
    'write-bytes-complete': true,
    'read-records': 0,
    'read-records-complete': true,
    'write-records': 120,
    'write-records-complete': true,
    'accumulated-backpressured-time': 0,
    'accumulated-idle-time': 59000,
    'accumulated-busy-time': 12.5,
  },
})

testRouteGroup('jobs', jobRoutes, [
  {
    key: 'GET /jobs',
    path: '/jobs',
    response: {
      jobs: [
        { id: JOB, status: 'RUNNING' },
        { id: OTHER, status: 'FINISHED' },
      ],
    },
  },
  {
    key: 'POST /jobs',
    args: { body: { jobGraphFileName: 'job.graph', jobJarFileNames: ['job.jar'] } },
    path: '/jobs',
    sentBody: { jobGraphFileName: 'job.graph', jobJarFileNames: ['job.jar'] },
    status: 202,
    response: { jobUrl: `/jobs/${JOB}` },
  },
  {
    key: 'GET /jobs/overview',
    path: '/jobs/overview',
    response: {
      jobs: [
        {
          jid: JOB,
          name: 'orders',
          start_time: 1764288000000,
          state: 'RUNNING',
          'start-time': 1764288000000,
          'end-time': -1,
          duration: 61000,
          'last-modification': 1764288001500,
          tasks: {
            running: 4,
            canceling: 0,
            canceled: 0,
            total: 4,
            created: 0,
            scheduled: 0,
            deploying: 0,
            reconciling: 0,
            finished: 0,
            initializing: 0,
            failed: 0,
          },
          'pending-operators': 0,
        },
      ],
    },
  },
  {
    key: 'GET /jobs/metrics',
    args: { query: { get: ['numRestarts'], agg: ['max', 'sum'], jobs: [JOB, OTHER] } },
    path: `/jobs/metrics?get=numRestarts&agg=max%2Csum&jobs=${JOB}%2C${OTHER}`,
    response: [{ id: 'numRestarts', max: 0, sum: 0 }],
  },
  {
    key: 'GET /jobs/:jobid',
    args: { jobid: JOB },
    path: `/jobs/${JOB}`,
    response: {
      jid: JOB,
      name: 'orders',
      isStoppable: false,
      state: 'RUNNING',
      'job-type': 'STREAMING',
      'start-time': 1764288000000,
      'end-time': -1,
      duration: 61000,
      maxParallelism: -1,
      now: 1764288061000,
      timestamps: {
        INITIALIZING: 1764288000000,
        CREATED: 1764288000300,
        RUNNING: 1764288000500,
        FINISHED: 0,
        FAILED: 0,
        CANCELED: 0,
      },
      vertices: [vertex(SOURCE, 'Source: events'), vertex(COUNTER, 'counter -> Sink: discard')],
      'status-counts': { RUNNING: 2, CREATED: 0 },
      plan: { jid: JOB, name: 'orders', type: 'STREAMING', nodes: [] },
      'stream-graph': { nodes: [] },
    },
  },
  {
    key: 'PATCH /jobs/:jobid',
    args: { jobid: JOB, query: { mode: 'cancel' } },
    path: `/jobs/${JOB}?mode=cancel`,
    status: 202,
    response: {},
  },
  {
    key: 'GET /jobs/:jobid/status',
    args: { jobid: JOB },
    path: `/jobs/${JOB}/status`,
    response: { status: 'RUNNING' },
  },
  {
    key: 'GET /jobs/:jobid/plan',
    args: { jobid: JOB },
    path: `/jobs/${JOB}/plan`,
    response: {
      plan: {
        jid: JOB,
        name: 'orders',
        type: 'STREAMING',
        nodes: [{ id: SOURCE, parallelism: 2, operator: '', description: 'Source: events', inputs: [] }],
      },
    },
  },
  {
    key: 'GET /jobs/:jobid/config',
    args: { jobid: JOB },
    path: `/jobs/${JOB}/config`,
    response: {
      jid: JOB,
      name: 'orders',
      'execution-config': {
        'restart-strategy': 'Restart with fixed delay (1 s). #3 restart attempts.',
        'job-parallelism': 2,
        'object-reuse-mode': false,
        'user-config': { release: 'v1' },
      },
    },
  },
  {
    key: 'GET /jobs/:jobid/accumulators',
    args: { jobid: JOB, query: { includeSerializedValue: false } },
    path: `/jobs/${JOB}/accumulators?includeSerializedValue=false`,
    response: {
      'job-accumulators': [],
      'user-task-accumulators': [{ name: 'events', type: 'LongCounter', value: '120' }],
      'serialized-user-task-accumulators': {},
    },
  },
  {
    key: 'GET /jobs/:jobid/exceptions',
    args: { jobid: JOB, query: { maxExceptions: 10 } },
    path: `/jobs/${JOB}/exceptions?maxExceptions=10`,
    response: {
      'root-exception': 'java.lang.RuntimeException: release v3 crashed',
      timestamp: 1764288030000,
      'all-exceptions': [],
      truncated: false,
      exceptionHistory: {
        entries: [
          {
            exceptionName: 'java.lang.RuntimeException',
            stacktrace: 'java.lang.RuntimeException: release v3 crashed\n\tat com.example.OrdersJob',
            timestamp: 1764288030000,
            taskName: 'counter (1/2)#0',
            endpoint: 'localhost:41231',
            taskManagerId: '127.0.0.1:41231-7f2c1a',
            failureLabels: {},
            concurrentExceptions: [],
          },
        ],
        truncated: false,
      },
    },
  },
  {
    key: 'GET /jobs/:jobid/execution-result',
    args: { jobid: JOB },
    path: `/jobs/${JOB}/execution-result`,
    response: {
      status: { id: 'COMPLETED' },
      'job-execution-result': {
        id: JOB,
        'application-status': 'CANCELED',
        'accumulator-results': {},
        'net-runtime': 61000,
      },
    },
  },
  {
    key: 'GET /jobs/:jobid/metrics',
    args: { jobid: JOB, query: { get: ['uptime', 'numRestarts'] } },
    path: `/jobs/${JOB}/metrics?get=uptime%2CnumRestarts`,
    response: [
      { id: 'uptime', value: '61000' },
      { id: 'numRestarts', value: '0' },
    ],
  },
  {
    key: 'PATCH /jobs/:jobid/rescaling',
    args: { jobid: JOB, query: { parallelism: 4 } },
    path: `/jobs/${JOB}/rescaling?parallelism=4`,
    response: { 'request-id': TRIGGER },
  },
  {
    key: 'GET /jobs/:jobid/rescaling/:triggerid',
    args: { jobid: JOB, triggerid: TRIGGER },
    path: `/jobs/${JOB}/rescaling/${TRIGGER}`,
    response: { status: { id: 'IN_PROGRESS' }, operation: null },
  },
  {
    key: 'GET /jobs/:jobid/resource-requirements',
    args: { jobid: JOB },
    path: `/jobs/${JOB}/resource-requirements`,
    response: { [SOURCE]: { parallelism: { lowerBound: 1, upperBound: 2 } } },
  },
  {
    key: 'PUT /jobs/:jobid/resource-requirements',
    args: { jobid: JOB, body: { [SOURCE]: { parallelism: { lowerBound: 1, upperBound: 4 } } } },
    path: `/jobs/${JOB}/resource-requirements`,
    sentBody: { [SOURCE]: { parallelism: { lowerBound: 1, upperBound: 4 } } },
    response: {},
  },
])
