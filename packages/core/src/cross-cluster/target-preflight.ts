/**
 * What a move to another cluster must be sure of besides a normal preflight: the target answers and is not
 * blue's own cluster under another name, it takes jars, its Flink version can restore blue's savepoint, and
 * both clusters reach the savepoint directory (blue writes the savepoint there, green reads it); with the
 * checkpoint fallback allowed, the target reaches blue's checkpoints too.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import type { FlinkVersion } from '../client/version.ts'
import { PreflightFailedError } from '../errors.ts'
import type { Clusters } from './clusters.ts'
import { isLocalDirectory, probeSavepointDir } from './savepoint-dir-access.ts'
import { versionChange } from './version-change.ts'

export interface TargetCheckInput {
  blueVersion: FlinkVersion
  /** Where blue's savepoint will go; undefined when green starts without blue's state. */
  savepointDir?: string
  /** A `file:` savepoint directory is accepted (both clusters mount the same shared disk there). */
  allowLocalSavepointDir: boolean
  /** Blue, when green may start from its latest checkpoint (the checkpoint fallback is allowed). */
  fallbackFrom?: string
}

export interface TargetFacts {
  flinkVersion: string
  /** The version change and the shared directory, as the plan should say them. */
  notes: string[]
}

export async function checkTargetCluster(
  clusters: Clusters,
  input: TargetCheckInput,
  signal?: AbortSignal,
): Promise<TargetFacts> {
  const target = clusters.green
  const [version, config] = await Promise.all([target.version(), target.cluster.config({ signal })]).catch(
    (error: unknown) => {
      throw new PreflightFailedError(
        'target-cluster',
        `The target cluster ${target.url} does not answer: ${error instanceof Error ? error.message : String(error)}`,
      )
    },
  )
  await refuseSameCluster(clusters, signal)
  if (config.features?.['web-submit'] === false) {
    throw new PreflightFailedError(
      'web-submit',
      `The target cluster ${target.url} does not accept jar submissions (web.submit.enable is false)`,
    )
  }
  const change = versionChange(input.blueVersion, version)
  if (change.refusal)
    throw new PreflightFailedError('flink-version', `Cannot move the job: ${change.refusal}`)
  if (input.savepointDir) await requireSharedDirectory(clusters, input, input.savepointDir, signal)
  if (input.fallbackFrom) await requireReadableCheckpoints(clusters, input, input.fallbackFrom, signal)
  return { flinkVersion: version.raw, notes: change.notes }
}

/** Two URLs can name one cluster (a proxy, localhost and 127.0.0.1): its TaskManagers give it away. */
async function refuseSameCluster(clusters: Clusters, signal?: AbortSignal): Promise<void> {
  const ids = (client: FlinkClient) =>
    client.taskmanagers.list({ signal }).then(({ taskmanagers }) => taskmanagers.map((t) => t.id))
  const [blue, green] = await Promise.all([ids(clusters.blue), ids(clusters.green)])
  if (blue.some((id) => green.includes(id))) {
    throw new PreflightFailedError(
      'target-cluster',
      `The target ${clusters.green.url} is blue's own cluster ${clusters.blue.url} (same TaskManagers); leave out the target to upgrade in place`,
    )
  }
}

/**
 * The fallback starts green from blue's latest checkpoint: where blue keeps its checkpoints must be readable
 * by the target as well. Probed beside the latest one (never at it: a probe that found it would dispose it).
 */
async function requireReadableCheckpoints(
  clusters: Clusters,
  input: TargetCheckInput,
  blueJobId: string,
  signal?: AbortSignal,
): Promise<void> {
  const stats = await clusters.blue.checkpoints
    .statistics({ jobid: blueJobId, signal })
    .catch(() => undefined)
  const latest = stats?.latest.completed?.external_path
  if (!latest) return
  const directory = latest.replace(/\/+$/, '').replace(/\/[^/]*$/, '')
  const local = isLocalDirectory(directory) && !input.allowLocalSavepointDir
  const access = local ? undefined : await probeSavepointDir(clusters.green, directory, signal)
  if (access?.reachable) return
  throw new PreflightFailedError(
    'checkpoint-dir',
    `The checkpoint fallback could start green from blue's checkpoints in ${directory}, which the target ${clusters.green.url} cannot read` +
      `${access ? ` (${access.reason})` : " (each cluster's own disk)"}. Keep checkpoints on storage both reach, or leave out the fallback`,
  )
}

async function requireSharedDirectory(
  clusters: Clusters,
  input: TargetCheckInput,
  directory: string,
  signal?: AbortSignal,
): Promise<void> {
  if (isLocalDirectory(directory) && !input.allowLocalSavepointDir) {
    throw new PreflightFailedError(
      'savepoint-dir',
      `The savepoint directory ${directory} is on each cluster's own disk, so the target cannot read blue's savepoint. ` +
        'Use storage both clusters reach (s3://, gs://, hdfs://...), or allow a local savepoint directory ' +
        '(allowLocalSavepointDir, --allow-local-savepoint-dir) if both mount the same disk there',
    )
  }
  const roles = [
    ['blue', clusters.blue],
    ['target', clusters.green],
  ] as const
  const access = await Promise.all(roles.map(([, client]) => probeSavepointDir(client, directory, signal)))
  access.forEach((a, i) => {
    if (a.reachable) return
    const [role, client] = roles[i]!
    throw new PreflightFailedError(
      'savepoint-dir',
      `The ${role} cluster ${client.url} cannot reach the savepoint directory ${directory}: ${a.reason}`,
    )
  })
}
