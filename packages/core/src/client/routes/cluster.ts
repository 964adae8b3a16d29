import { defineRoutes } from '../route.ts'
import { ClusterOverview, DashboardConfiguration } from '../schemas/cluster.ts'
import { Empty } from '../schemas/common.ts'

export const clusterRoutes = defineRoutes({
  'GET /config': {
    name: 'config',
    summary: 'Dashboard configuration: Flink version and whether jar submission is enabled.',
    response: DashboardConfiguration,
    retry: 'always',
  },
  'GET /overview': {
    name: 'overview',
    summary: 'Cluster overview: task managers, slots, job counts, version.',
    response: ClusterOverview,
    retry: 'always',
  },
  'DELETE /cluster': {
    name: 'shutdown',
    summary: 'Shuts the cluster down.',
    response: Empty,
    // The connection may drop as the cluster goes away; repeating the call could hit a restarted cluster.
    retry: 'never',
  },
})
