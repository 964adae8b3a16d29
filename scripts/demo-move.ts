/**
 * The move demo: a job moves from a Flink 1.20 cluster to a Flink 2.3 cluster with the flink-deploy CLI,
 * its state carried over in a savepoint on S3 storage both clusters share.
 *
 *   1. start a local S3 server (moto) and two Flink clusters, 1.20.5 and 2.3.0, that keep their checkpoints
 *      and savepoints in it; build the example job for each version
 *   2. deploy release v1 on the 1.20 cluster, let it count events into keyed state
 *   3. move it: `flink-deploy upgrade --flink-url <1.20> --to-flink-url <2.3>` stops it with a savepoint on
 *      S3, starts the 2.3 build on the other cluster from that savepoint, and verifies it
 *   4. show that the count continued on the new cluster, and stop everything
 *
 * Run: `./run demo:move` (or `pnpm demo:move`).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient } from '@flink-deploy/core'
import { buildExampleJob, type FlinkCluster, startFlinkCluster } from '@flink-deploy/local-flink'
import { startS3Server } from '@flink-deploy/local-s3'
import { gauges, requireTool, runCli, runningJob, say, upgradeArgs, watchState } from './demo-kit.ts'

const BUCKET = 'savepoints'

requireTool('java', ['-version'], 'Java 17 (e.g. `apt-get install openjdk-17-jdk-headless`)')
requireTool('mvn', ['-v'], 'Maven (e.g. `apt-get install maven`)')
requireTool(
  process.env.PYTHON || 'python3',
  ['--version'],
  'Python 3 with venv, for the local S3 server (moto)',
)

say(
  'Starting a local S3 server, two Flink clusters (1.20 and 2.3) that keep their savepoints in it, and building the example job for each...',
)
const s3 = await startS3Server({ buckets: [BUCKET] })
const storage = {
  endpoint: s3.endpoint,
  accessKey: s3.accessKeyId,
  secretKey: s3.secretAccessKey,
  bucket: BUCKET,
}
const started = await Promise.allSettled([
  startFlinkCluster({ version: '1.20', s3: storage }),
  startFlinkCluster({ version: '2.3', s3: storage }),
])
const clusters = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
let failed = false
try {
  const failure = started.find((s) => s.status === 'rejected')
  if (failure) throw failure.reason
  const [old, next] = clusters as [FlinkCluster, FlinkCluster]
  const [oldJar, nextJar] = [await buildExampleJob(old.version), await buildExampleJob(next.version)]
  const oldClient = createFlinkClient({ baseUrl: old.url })
  const nextClient = createFlinkClient({ baseUrl: next.url })
  try {
    process.stdout.write(
      `S3 at ${s3.endpoint}, bucket ${BUCKET}\n` +
        `Flink ${old.version} at ${old.url}; savepoints in ${old.savepointDir}\n` +
        `Flink ${next.version} at ${next.url}; savepoints in ${next.savepointDir}\n`,
    )
    const stateFile = join(mkdtempSync(join(tmpdir(), 'flink-deploy-demo-move-')), 'orders.json')
    const deploy = (release: string, jar: string, target: string[] = []) =>
      runCli([...upgradeArgs(old.url, jar, release, stateFile), ...target])

    say(`1. Deploy release v1 on Flink ${old.version}:`)
    deploy('v1', oldJar)
    const blue = await runningJob(oldClient)
    say(`2. Let v1 count events into its keyed state on Flink ${old.version}:`)
    const before = await watchState(oldClient, blue, 1_000)

    say(`3. Move the job to Flink ${next.version}, as release v2 built for ${next.version}:`)
    deploy('v2', nextJar, [`--to-flink-url=${next.url}`])

    const green = await runningJob(nextClient)
    const after = await gauges(nextClient, green)
    const restoredFrom = (await nextClient.checkpoints.statistics({ jobid: green })).latest.restored
      ?.external_path
    const leftBehind = (await oldClient.jobs.overview()).jobs.filter(
      (j) => j.name === 'orders' && j.state === 'RUNNING',
    )
    say('4. State after the move:')
    process.stdout.write(
      `On Flink ${old.version}, v1 (${blue}) had counted ${before} events before the move; ` +
        `${leftBehind.length === 0 ? 'no' : leftBehind.length} job named orders runs there now.\n` +
        `On Flink ${next.version}, v2 (${green}) restored ${after.stateCount - after.processed} from ${restoredFrom} ` +
        `and has counted ${after.processed} more: ${after.stateCount} in total.\n`,
    )
    if (after.stateCount - after.processed < before)
      throw new Error(`v2 on ${next.version} did not restore the state of v1`)
    if (leftBehind.length > 0) throw new Error(`orders still runs on Flink ${old.version}`)
    say('The state continued across the move. Stopping the clusters and the S3 server.')
  } finally {
    await oldClient.close()
    await nextClient.close()
  }
} catch (error) {
  failed = true
  process.stderr.write(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
  for (const cluster of clusters)
    process.stderr.write(`Last lines of the Flink ${cluster.version} logs:\n${await cluster.logTail(10)}\n`)
} finally {
  await Promise.all(clusters.map((cluster) => cluster.stop()))
  await s3.stop()
}
process.exitCode = failed ? 1 : 0
