/**
 * The route table: every Flink REST endpoint the client speaks, grouped by resource. Each group becomes a
 * property of the client (`client.jobs.get(...)`), and every key is Flink's own method and path template.
 */
import { checkpointRoutes } from './checkpoints.ts'
import { clusterRoutes } from './cluster.ts'
import { datasetRoutes } from './datasets.ts'
import { jarRoutes } from './jars.ts'
import { jobManagerRoutes } from './jobmanager.ts'
import { jobRoutes } from './jobs.ts'
import { savepointRoutes } from './savepoints.ts'
import { taskManagerRoutes } from './taskmanagers.ts'
import { vertexRoutes } from './vertices.ts'

export const routeGroups = {
  cluster: clusterRoutes,
  jars: jarRoutes,
  jobs: jobRoutes,
  checkpoints: checkpointRoutes,
  savepoints: savepointRoutes,
  vertices: vertexRoutes,
  taskmanagers: taskManagerRoutes,
  jobmanager: jobManagerRoutes,
  datasets: datasetRoutes,
} as const

export type RouteGroups = typeof routeGroups
export type RouteGroupName = keyof RouteGroups

type Flatten<G> = { [N in keyof G]: G[N] }[keyof G]
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never

/** All routes in one table, keyed by 'METHOD /template'. */
export type AllRoutes = UnionToIntersection<Flatten<RouteGroups>>
export type AllRouteKey = keyof AllRoutes & string

export const allRoutes = Object.assign({}, ...Object.values(routeGroups)) as AllRoutes
