/**
 * The clusters of an upgrade: the one blue runs on, and the one green is started on. They are the same
 * client unless the job moves to another cluster; every step asks for the cluster of its role, so one
 * machine serves both cases.
 */
import type { FlinkClient } from '../client/flink-client.ts'

export interface Clusters {
  blue: FlinkClient
  green: FlinkClient
}

/** The REST endpoints of a run's clusters, persisted with it so a resume can tell it moves a job. */
export interface ClusterUrls {
  blue: string
  green: string
}

export const isMove = (clusters: Clusters): boolean => clusters.blue !== clusters.green

/**
 * Whether two endpoint URLs name the same server: scheme, host and port compared as URL parsing normalises
 * them (case, default ports), and the path without its trailing slash.
 */
export function sameEndpoint(a: string, b: string): boolean {
  const key = (url: string) => {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`
  }
  return key(a) === key(b)
}
