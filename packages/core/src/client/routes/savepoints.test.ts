import { testRouteGroup } from './route-test-kit.ts'
import { savepointRoutes } from './savepoints.ts'

const JOB = '9f86d081884c7d659a2feaa0c55ad015'
const TRIGGER = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'

testRouteGroup('savepoints', savepointRoutes, [
  {
    key: 'POST /jobs/:jobid/savepoints',
    args: {
      jobid: JOB,
      body: {
        'target-directory': 'file:///data/savepoints',
        'cancel-job': false,
        formatType: 'CANONICAL',
        triggerId: TRIGGER,
      },
    },
    path: `/jobs/${JOB}/savepoints`,
    sentBody: {
      'target-directory': 'file:///data/savepoints',
      'cancel-job': false,
      formatType: 'CANONICAL',
      triggerId: TRIGGER,
    },
    status: 202,
    response: { 'request-id': TRIGGER },
  },
  {
    key: 'GET /jobs/:jobid/savepoints/:triggerid',
    args: { jobid: JOB, triggerid: TRIGGER },
    path: `/jobs/${JOB}/savepoints/${TRIGGER}`,
    response: {
      status: { id: 'COMPLETED' },
      operation: { location: 'file:/data/savepoints/savepoint-9f86d0-0a1b2c3d4e5f' },
    },
  },
  {
    key: 'POST /jobs/:jobid/stop',
    args: {
      jobid: JOB,
      body: { targetDirectory: 'file:///data/savepoints', drain: false, triggerId: TRIGGER },
    },
    path: `/jobs/${JOB}/stop`,
    sentBody: { targetDirectory: 'file:///data/savepoints', drain: false, triggerId: TRIGGER },
    status: 202,
    response: { 'request-id': TRIGGER },
  },
  {
    key: 'POST /savepoint-disposal',
    args: { body: { 'savepoint-path': 'file:/data/savepoints/savepoint-9f86d0-0a1b2c3d4e5f' } },
    path: '/savepoint-disposal',
    sentBody: { 'savepoint-path': 'file:/data/savepoints/savepoint-9f86d0-0a1b2c3d4e5f' },
    response: { 'request-id': TRIGGER },
  },
  {
    key: 'GET /savepoint-disposal/:triggerid',
    args: { triggerid: TRIGGER },
    path: `/savepoint-disposal/${TRIGGER}`,
    response: { status: { id: 'COMPLETED' }, operation: {} },
  },
])
