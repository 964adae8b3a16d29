/**
 * The demo: a real upgrade on a local Flink cluster, with the flink-deploy CLI as a user runs it.
 *
 *   1. start a JobManager and a TaskManager (Flink from Maven Central), build the example job
 *   2. deploy release v1, let it count events into keyed state
 *   3. upgrade to v2 (stop with a savepoint, start from it, verify)
 *   4. show that the state continued, and stop the cluster
 *
 * Run: `./run demo` (or `pnpm demo`); FLINK_VERSION=1.20 picks the LTS line instead of 2.3.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient } from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'
import { gauges, requireTool, runCli, runningJob, say, upgradeArgs, watchState } from './demo-kit.ts'

requireTool('java', ['-version'], 'Java 17 (e.g. `apt-get install openjdk-17-jdk-headless`)')
requireTool('mvn', ['-v'], 'Maven (e.g. `apt-get install maven`)')

const version = selectedFlinkVersions().at(-1) ?? '2.3'
say(`Starting Flink ${version} (JobManager and TaskManager JVMs on loopback) and building the example job...`)
const [cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
const client = createFlinkClient({ baseUrl: cluster.url })
let failed = false
try {
  process.stdout.write(`Flink ${version} at ${cluster.url}; job jar ${jar}\n`)
  const stateFile = join(mkdtempSync(join(tmpdir(), 'flink-deploy-demo-')), 'orders.json')
  const deploy = (release: string) => runCli(upgradeArgs(cluster.url, jar, release, stateFile))

  say('1. Deploy release v1 (nothing runs yet, so this is a first deployment):')
  deploy('v1')
  const blue = await runningJob(client)
  say('2. Let v1 count events into its keyed state:')
  const before = await watchState(client, blue, 1_000)

  say('3. Upgrade to v2 with flink-deploy (stop-and-restart):')
  deploy('v2')

  const green = await runningJob(client)
  const after = await gauges(client, green)
  say('4. State after the upgrade:')
  process.stdout.write(
    `v1 (${blue}) had counted ${before} events before the upgrade.\n` +
      `v2 (${green}) restored ${after.stateCount - after.processed} from the savepoint and has counted ${after.processed} more: ` +
      `${after.stateCount} in total.\n`,
  )
  if (after.stateCount - after.processed < before) throw new Error('v2 did not restore the state of v1')
  say('The state continued across the upgrade. Stopping the cluster.')
} catch (error) {
  failed = true
  process.stderr.write(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.stderr.write(`Last lines of the Flink logs:\n${await cluster.logTail(10)}\n`)
} finally {
  await client.close()
  await cluster.stop()
}
process.exitCode = failed ? 1 : 0
