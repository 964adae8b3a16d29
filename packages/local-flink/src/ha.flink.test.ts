/**
 * With the ha option a real JobManager, SIGKILLed and started again on the same REST port, recovers its running
 * job from ZooKeeper and the HA storage: same job id, running again. One ZooKeeper for all versions.
 */
import { createFlinkClient, type FlinkClient } from '@flink-deploy/core'
import { startZooKeeper, type ZooKeeperServer } from '@flink-deploy/local-zookeeper'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type FlinkCluster, startFlinkCluster } from './cluster.ts'
import { buildExampleJob } from './example-job.ts'
import { selectedFlinkVersions } from './versions.ts'

const wait = { timeout: 120_000, interval: 500 }
let zk: ZooKeeperServer

beforeAll(async () => {
  zk = await startZooKeeper()
})
afterAll(async () => {
  await zk?.stop()
})

for (const version of selectedFlinkVersions()) {
  describe(`Flink ${version} with ZooKeeper HA`, () => {
    let cluster: FlinkCluster
    let client: FlinkClient

    beforeAll(async () => {
      const jar = buildExampleJob(version)
      cluster = await startFlinkCluster({ version, ha: { quorum: zk.quorum } })
      client = createFlinkClient({ baseUrl: cluster.url })
      await client.jars.upload(await jar)
    })
    afterAll(async () => {
      await client?.close().catch(() => {})
      await cluster?.stop()
    })

    it('failover: a SIGKILLed JobManager started again recovers the running job from the HA store', async () => {
      const config = await client.jobmanager.config()
      const value = (key: string) => config.find((e) => e.key === key)?.value
      expect(value('high-availability.type')).toBe('zookeeper')
      expect(value('high-availability.zookeeper.quorum')).toBe(zk.quorum)
      expect(value('high-availability.storageDir')).toBe(`file://${cluster.haStorageDir}`)

      const [jar] = (await client.jars.list()).files
      const { jobid } = await client.jars.run({
        jarid: jar!.id,
        body: { programArgsList: ['--name', 'ha-probe', '--rate', '100'] },
      })
      await vi.waitFor(async () => expect((await client.jobs.get({ jobid })).state).toBe('RUNNING'), wait)

      await cluster.killJobManager()
      expect(cluster.jobManagerPid()).toBeUndefined()
      await expect(fetch(`${cluster.url}/overview`)).rejects.toThrow()
      await cluster.startJobManager()

      await vi.waitFor(async () => {
        const jobs = (await client.jobs.overview()).jobs
        expect(jobs.map((j) => [j.jid, j.state])).toEqual([[jobid, 'RUNNING']])
      }, wait)
    })
  })
}
