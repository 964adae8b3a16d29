/**
 * Large state: a cluster on the RocksDB backend (and ForSt on 2.x) takes incremental checkpoints, and the
 * example job's --state-mb fills that much keyed state at start. Small sizes here; big ones are for benches.
 */
import { createFlinkClient, type FlinkClient } from '@flink-deploy/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type FlinkCluster, startFlinkCluster } from './cluster.ts'
import type { StateBackend } from './config.ts'
import { buildExampleJob } from './example-job.ts'
import { flinkMajor, selectedFlinkVersions } from './versions.ts'

const STATE_MB = 8
const MB = 1024 * 1024

const cases = selectedFlinkVersions().flatMap((version) =>
  (['rocksdb', 'forst'] as StateBackend[])
    .filter((backend) => backend !== 'forst' || flinkMajor(version) >= 2)
    .map((backend) => ({ version, backend })),
)

for (const { version, backend } of cases) {
  describe(`large state: Flink ${version} on ${backend}`, () => {
    let cluster: FlinkCluster
    let client: FlinkClient

    beforeAll(async () => {
      const jar = buildExampleJob(version)
      cluster = await startFlinkCluster({
        version,
        stateBackend: backend,
        slots: 2,
        checkpointInterval: '1 s',
      })
      client = createFlinkClient({ baseUrl: cluster.url })
      const { jarId } = await client.jars.upload(await jar)
      const { jobid } = await client.jars.run({
        jarid: jarId,
        body: { programArgsList: ['--name', 'fill', '--state-mb', String(STATE_MB)] },
      })
      jobId = jobid
    })
    let jobId: string

    afterAll(async () => {
      await client?.close().catch(() => {})
      await cluster?.stop()
    })

    it(`holds --state-mb ${STATE_MB} of keyed state, checkpointed incrementally`, async () => {
      const config = await client.checkpoints.config({ jobid: jobId })
      expect(config.state_backend?.toLowerCase()).toContain(backend === 'forst' ? 'forst' : 'rocksdb')
      // Once the fill is in, a checkpoint holds all of it, and a later one uploads only what changed.
      await vi.waitFor(
        async () => {
          const stats = await client.checkpoints.statistics({ jobid: jobId })
          const filled = stats.history.filter(
            (c) => c.status === 'COMPLETED' && !c.is_savepoint && (c.state_size ?? 0) >= STATE_MB * MB,
          )
          const first = Math.min(...filled.map((c) => c.id))
          const incremental = filled.filter(
            (c) => c.id > first && (c.checkpointed_size ?? 0) < (STATE_MB * MB) / 2,
          )
          expect(incremental.length).toBeGreaterThan(0)
        },
        { timeout: 150_000, interval: 1000 },
      )
    })
  })
}
