/**
 * The contract suite against real Flink: for each selected version (FLINK_VERSION, default 1.20 and 2.3) a
 * JobManager + TaskManager pair from @flink-deploy/local-flink and the example job built for that version.
 * Clusters are always stopped in afterAll, also when a test failed.
 */
import { createFlinkClient } from '@flink-deploy/core'
import {
  buildExampleJob,
  type FlinkCluster,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { defineContractSuite } from './contract-suite.ts'

/** Flame graphs are off by default; sample little so the first graph is ready within a second or two. */
const CLUSTER_CONFIG = {
  'rest.flamegraph.enabled': true,
  'rest.flamegraph.num-samples': 10,
  'rest.flamegraph.refresh-interval': 2000,
}

const log = (message: string) => process.stderr.write(`[contract] ${message}\n`)

for (const version of selectedFlinkVersions()) {
  defineContractSuite(`real Flink ${version}`, async () => {
    const started = Date.now()
    const [cluster, jarPath] = await Promise.all([
      startFlinkCluster({ version, config: CLUSTER_CONFIG }),
      buildExampleJob(version),
    ])
    log(`Flink ${version}: cluster ready in ${Date.now() - started} ms at ${cluster.url}`)
    const suiteStart = Date.now()
    const client = createFlinkClient({ baseUrl: cluster.url })
    const throwaways: FlinkCluster[] = []
    return {
      client,
      version,
      jarPath,
      timeoutMs: 60_000,
      intervalMs: 250,
      async startThrowaway() {
        const t0 = Date.now()
        const throwaway = await startFlinkCluster({ version })
        throwaways.push(throwaway)
        log(`Flink ${version}: throwaway cluster ready in ${Date.now() - t0} ms`)
        const c = createFlinkClient({ baseUrl: throwaway.url, retry: { retries: 0 } })
        return {
          client: c,
          async stop() {
            await c.close()
            await throwaway.stop()
          },
        }
      },
      async close() {
        log(`Flink ${version}: suite ran ${Date.now() - suiteStart} ms`)
        await client.close().catch(() => {})
        await Promise.allSettled([cluster.stop(), ...throwaways.map((t) => t.stop())])
      },
    }
  })
}
