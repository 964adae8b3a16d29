/**
 * Two real Flink clusters of different versions side by side, sharing one S3 server (moto) for their
 * checkpoints and savepoints, each with the example job built for its own version: the ground a job moves
 * across. Cluster `from` (1.20 LTS) is where blue runs, `to` (2.3) where green goes.
 */
import { createFlinkClient, type FlinkClient } from '@flink-deploy/core'
import { buildExampleJob, type FlinkCluster, startFlinkCluster } from '@flink-deploy/local-flink'
import { type S3Server, startS3Server } from '@flink-deploy/local-s3'

/** The bucket both clusters write their state to: s3://savepoints/{checkpoints,savepoints}/<cluster id>. */
export const SAVEPOINT_BUCKET = 'savepoints'

export interface ClusterSide {
  cluster: FlinkCluster
  url: string
  client: FlinkClient
  /** the example job built for this cluster's Flink version */
  jar: string
  /** full Flink version, e.g. '1.20.5' */
  version: string
}

export interface TwoClusters {
  s3: S3Server
  from: ClusterSide
  to: ClusterSide
  /** AWS settings of the S3 server, for CLI child processes */
  env: Record<string, string>
  /** how long the S3 server, both clusters and both jars took, started at once */
  startedInMs: number
  stop(): Promise<void>
}

export async function startTwoClusters(
  versions: { from: string; to: string } = { from: '1.20', to: '2.3' },
  log?: (message: string) => void,
): Promise<TwoClusters> {
  const started = performance.now()
  const s3 = await startS3Server({ buckets: [SAVEPOINT_BUCKET], log })
  const s3Option = {
    endpoint: s3.endpoint,
    accessKey: s3.accessKeyId,
    secretKey: s3.secretAccessKey,
    bucket: SAVEPOINT_BUCKET,
  }
  const side = async (version: string): Promise<ClusterSide> => {
    const [cluster, jar] = await Promise.all([
      startFlinkCluster({ version, s3: s3Option, log }),
      buildExampleJob(version),
    ])
    return {
      cluster,
      url: cluster.url,
      client: createFlinkClient({ baseUrl: cluster.url }),
      jar,
      version: cluster.version,
    }
  }
  const sides = await Promise.allSettled([side(versions.from), side(versions.to)])
  const up = sides.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const stop = async () => {
    await Promise.all(up.map((s) => s.client.close().catch(() => {})))
    await Promise.all(up.map((s) => s.cluster.stop()))
    await s3.stop()
  }
  const failed = sides.find((s) => s.status === 'rejected')
  if (failed) {
    await stop()
    throw failed.reason
  }
  const [from, to] = up as [ClusterSide, ClusterSide]
  return { s3, from, to, env: s3.env(), startedInMs: Math.round(performance.now() - started), stop }
}

/** Jobs of this name that are RUNNING on the cluster. */
export async function liveJobs(side: ClusterSide, name: string): Promise<{ jid: string; state: string }[]> {
  const { jobs } = await side.client.jobs.overview()
  return jobs
    .filter((j) => j.name === name && j.state === 'RUNNING')
    .map((j) => ({ jid: j.jid, state: j.state }))
}

/** Jobs of this name on the cluster not in a terminal state: RUNNING, but also RESTARTING, CANCELLING, ... */
export async function unfinishedJobs(
  side: ClusterSide,
  name: string,
): Promise<{ jid: string; state: string }[]> {
  const { jobs } = await side.client.jobs.overview()
  const terminal = new Set(['FINISHED', 'CANCELED', 'FAILED'])
  return jobs
    .filter((j) => j.name === name && !terminal.has(j.state))
    .map((j) => ({ jid: j.jid, state: j.state }))
}
