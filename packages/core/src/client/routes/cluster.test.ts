import { clusterRoutes } from './cluster.ts'
import { testRouteGroup } from './route-test-kit.ts'

testRouteGroup('cluster', clusterRoutes, [
  {
    key: 'GET /config',
    path: '/config',
    response: {
      'refresh-interval': 3000,
      'timezone-name': 'Coordinated Universal Time',
      'timezone-offset': 0,
      'flink-version': '2.3.0',
      'flink-revision': 'b8b4c7c @ 2026-03-02T10:11:12+01:00',
      features: { 'web-submit': true, 'web-cancel': true, 'web-rescale': false, 'web-history': false },
    },
  },
  {
    key: 'GET /overview',
    path: '/overview',
    response: {
      taskmanagers: 1,
      'slots-total': 4,
      'slots-available': 3,
      'slots-free-and-blocked': 0,
      'taskmanagers-blocked': 0,
      'jobs-running': 1,
      'jobs-finished': 0,
      'jobs-cancelled': 0,
      'jobs-failed': 0,
      'flink-version': '1.20.5',
      'flink-commit': 'abcdef0',
    },
  },
  { key: 'DELETE /cluster', path: '/cluster', response: {} },
])
