/**
 * The JobManager of a real HA cluster (ZooKeeper, HA storage on disk) is SIGKILLed as an upgrade enters a step
 * and started again on the same REST port; it recovers its jobs from the HA store. The tool waits the outage
 * out (timeouts.unreachableMs) and must end in a true outcome: never two copies of the job, the savepoint it
 * reports on disk, and its report of what runs matching the cluster, at the end and a little later.
 * One ZooKeeper for all versions, one cluster per version; the cases run in turn on it.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type UpgradeOptions, type UpgradeResult, upgrade } from '@flink-deploy/core'
import { type FlinkCluster, selectedFlinkVersions } from '@flink-deploy/local-flink'
import { startZooKeeper, type ZooKeeperServer } from '@flink-deploy/local-zookeeper'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { exampleJobOnFlink } from '../support/example-job-on-flink.ts'
import { repairHaStore } from './ha-store-repair.ts'

const verify = { checkpoints: 1, stabilisationMs: 3_000, timeoutMs: 90_000 }
const ENDED = new Set(['FINISHED', 'CANCELED', 'FAILED'])

let zk: ZooKeeperServer
beforeAll(async () => {
  zk = await startZooKeeper()
})
afterAll(async () => {
  await zk?.stop()
})

/**
 * Starts the killed JobManager again. Flink 2.3 can leave its HA storage in a state no JobManager starts from
 * (see ha-store-repair.ts); then the test repairs it as an operator would, says what it did, and starts again.
 */
async function startJobManagerAgain(cluster: FlinkCluster, attempts = 3): Promise<number> {
  try {
    return await cluster.startJobManager()
  } catch (error) {
    const repairs = await repairHaStore(cluster.haStorageDir!)
    if (repairs.length === 0 || attempts <= 1) throw error
    console.info(`[failover] the JobManager died on start; Flink bug repaired: ${repairs.join('; ')}`)
    return startJobManagerAgain(cluster, attempts - 1)
  }
}

/** Polls `ready` every 10 ms, for at most 30 s. */
async function until(ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!(await ready()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
}

for (const version of selectedFlinkVersions()) {
  describe(`JobManager failover on real Flink ${version}`, { timeout: 300_000 }, () => {
    const flink = exampleJobOnFlink({
      version,
      cluster: () => ({ ha: { quorum: zk.quorum } }),
      options: { verify },
      deployFirst: true,
    })
    const { release } = flink

    /**
     * Runs the upgrade; as it enters `step` (and once `ready` says so) the JobManager is SIGKILLed and started
     * again.
     */
    const upgradeWithFailover = async (
      options: UpgradeOptions,
      step: string,
      ready: () => Promise<boolean> = async () => true,
    ) => {
      let killedAt: number | undefined
      let jobManagerBack: Promise<number> | undefined
      const result = await upgrade(options, {
        ...flink.runtime,
        onEvent: (e) => {
          if (e.type !== 'step-entered' || e.step !== step || killedAt !== undefined) return
          killedAt = Date.now()
          jobManagerBack = until(ready)
            .then(() => {
              killedAt = Date.now()
              return flink.cluster.killJobManager()
            })
            .then(() => startJobManagerAgain(flink.cluster))
        },
      })
      expect(killedAt, `the run never entered ${step}`).toBeDefined()
      const convergedMs = Date.now() - killedAt!
      const outageMs = await jobManagerBack!
      console.info(
        `[failover] Flink ${version} ${step}: ${result.outcome}, converged ${convergedMs} ms after the kill (JobManager back after ${outageMs} ms): ${result.summary}`,
      )
      return result
    }

    /** How often the JobManager logged that it triggered a stop-with-savepoint (the log is appended to across restarts). */
    const stopWithSavepointCount = async () => {
      const log = await readFile(join(flink.cluster.logDir, 'jobmanager.log'), 'utf8').catch(() => '')
      return log.split('Triggering stop-with-savepoint').length - 1
    }

    /** Never two copies, the savepoint on disk, and the report's running jobs are the cluster's. */
    const expectTrueReport = async (result: UpgradeResult) => {
      const live = async () =>
        (await flink.client.jobs.overview()).jobs
          .filter((j) => j.name === 'orders' && !ENDED.has(j.state))
          .map((j) => j.jid)
      const reported = result.running.map((r) => r.jobId)
      expect(reported, result.summary).toHaveLength(1)
      expect(await live()).toEqual(reported)
      if (result.savepointPath) expect(existsSync(fileURLToPath(result.savepointPath))).toBe(true)
      await new Promise((r) => setTimeout(r, 5_000))
      expect(await live(), 'a little later').toEqual(reported)
      await vi.waitFor(
        async () => expect((await flink.client.jobs.status({ jobid: reported[0]! })).status).toBe('RUNNING'),
        { timeout: 60_000, interval: 500 },
      )
    }

    it('failover while green is verified: upgraded', async () => {
      const result = await upgradeWithFailover(release('v2'), 'verifyingGreen')
      expect(result.outcome, result.summary).toBe('upgraded')
      await expectTrueReport(result)
    })

    it('failover while green is submitted: upgraded', async () => {
      const result = await upgradeWithFailover(release('v1'), 'startingGreen')
      expect(result.outcome, result.summary).toBe('upgraded')
      await expectTrueReport(result)
    })

    it("failover while blue's savepoint is in flight: blue untouched, or upgraded", async () => {
      const triggered = await stopWithSavepointCount()
      const result = await upgradeWithFailover(
        release('v2'),
        'stoppingBlue',
        async () => (await stopWithSavepointCount()) > triggered,
      )
      expect(['aborted-blue-untouched', 'upgraded'], result.summary).toContain(result.outcome)
      // Flink lost the savepoint with the JobManager: the report says so and where to look
      if (result.outcome === 'aborted-blue-untouched')
        expect(result.summary).toMatch(/result was lost.*Look for file:\/\/.*savepoint-/)
      await expectTrueReport(result)
    })

    it('failover as a rollback cancels green and restarts blue: rolled back', async () => {
      const result = await upgradeWithFailover(
        release('v1', { args: ['--fail-after', '2', '--restart-attempts', '0'] }),
        'rollingBack',
      )
      expect(result.outcome, result.summary).toBe('rolled-back')
      await expectTrueReport(result)
    })
  })
}
