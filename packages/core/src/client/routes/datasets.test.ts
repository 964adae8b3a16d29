import { datasetRoutes } from './datasets.ts'
import { testRouteGroup } from './route-test-kit.ts'

const datasetid = '8f3e2d1c0b9a48776655443322110fed'
const triggerid = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'

testRouteGroup('datasets', datasetRoutes, [
  {
    key: 'GET /datasets',
    path: '/datasets',
    response: {
      dataSets: [
        { id: datasetid, isComplete: true },
        { id: '1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f', isComplete: false, 'future-field': 0 },
      ],
    },
  },
  {
    key: 'DELETE /datasets/:datasetid',
    args: { datasetid },
    path: `/datasets/${datasetid}`,
    status: 202,
    response: { 'request-id': triggerid },
  },
  {
    key: 'GET /datasets/delete/:triggerid',
    args: { triggerid },
    path: `/datasets/delete/${triggerid}`,
    response: { status: { id: 'COMPLETED' }, operation: { 'failure-cause': null } },
  },
])
