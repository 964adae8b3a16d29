/**
 * Large state on real Flink: the example job holding --state-mb of keyed state in RocksDB (incremental
 * checkpoints), upgraded by the library. Sizes stay small here to keep CI cheap; bench/ measures big ones.
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { type UpgradeEvent, type UpgradeOptions, upgrade } from '@flink-deploy/core'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { exampleJobOnFlink } from '../support/example-job-on-flink.ts'
import { exampleCounts } from '../upgrade/example-gauges.ts'

/** At least 200 MB, the size at which a savepoint takes long enough to watch; LARGE_STATE_TEST_MB overrides. */
const STATE_MB = Number(process.env.LARGE_STATE_TEST_MB ?? 200)
const MB = 1024 * 1024

for (const version of selectedFlinkVersions()) {
  describe(`large state: a RocksDB job holding ${STATE_MB} MB, real Flink ${version}`, () => {
    const flink = exampleJobOnFlink({
      version,
      jobName: 'orders-large',
      args: ['--state-mb', String(STATE_MB)],
      options: { verify: { checkpoints: 1, stabilisationMs: 2_000, timeoutMs: 180_000 } },
      cluster: {
        stateBackend: 'rocksdb',
        slots: 2,
        checkpointInterval: '1 s',
        // The REST API caches checkpoint statistics and job details for up to 3 s by default, longer than
        // this small savepoint takes on a fast disk: progress would be seen only now and then.
        config: { 'rest.cache.checkpoint-statistics.timeout': '100 ms', 'web.refresh-interval': 200 },
      },
    })
    const { release } = flink
    let blueId: string

    /** Events counted in state now, and a checkpoint completed after that holding the whole fill. */
    async function countedAndCheckpointed(jobid: string): Promise<number> {
      const since = Date.now()
      const { stateCount } = await exampleCounts(flink.client, jobid)
      await vi.waitFor(
        async () => {
          const latest = (await flink.client.checkpoints.statistics({ jobid })).latest.completed
          if (!latest || latest.trigger_timestamp < since || (latest.state_size ?? 0) < STATE_MB * MB)
            throw new Error('no full checkpoint since')
        },
        { timeout: 120_000, interval: 500 },
      )
      return stateCount
    }

    beforeAll(async () => {
      const deployed = await upgrade(release('v1'), flink.runtime)
      expect(deployed.outcome, deployed.summary).toBe('upgraded')
      blueId = deployed.greenJobId!
    })

    it('large state: last-state upgrade starts green from blue’s latest checkpoint; the counts continue', async () => {
      const before = await countedAndCheckpointed(blueId)
      const result = await upgrade(
        release('v2', { upgradeMode: 'last-state', lastStateMaxAgeMs: 60_000 }),
        flink.runtime,
      )
      expect(result.outcome, result.summary).toBe('upgraded')
      console.log(
        `large state ${STATE_MB} MB last-state on Flink ${version}: downtime ${result.downtimeMs} ms (estimated ${result.estimate?.downtimeMs} ms)`,
      )
      expect(result.savepointPath).toMatch(/chk-\d+/)
      expect((await flink.client.jobs.status({ jobid: blueId })).status).toBe('CANCELED')
      const stats = await flink.client.checkpoints.statistics({ jobid: result.greenJobId! })
      expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
      const green = await exampleCounts(flink.client, result.greenJobId!)
      expect(green.stateCount - green.processed).toBeGreaterThanOrEqual(before)
      blueId = result.greenJobId!
    })

    it('large state: a savepoint upgrade reports progress while the savepoint runs; the counts continue', async () => {
      const before = await countedAndCheckpointed(blueId)
      const events: UpgradeEvent[] = []
      const startedAt = Date.now()
      const result = await upgrade(release('v1'), {
        ...flink.runtime,
        progressIntervalMs: 100,
        onEvent: (e) => events.push(e),
      })
      expect(result.outcome, result.summary).toBe('upgraded')
      const savepointSize = (await flink.client.checkpoints.statistics({ jobid: blueId })).latest.savepoint
        ?.state_size
      console.log(
        `large state ${STATE_MB} MB on Flink ${version}: savepoint ${savepointSize} bytes, downtime ${result.downtimeMs} ms (estimated ${result.estimate?.downtimeMs} ms), total ${Date.now() - startedAt} ms, steps ${result.steps.map((s) => `${s.step} ${s.durationMs} ms`).join(', ')}`,
      )
      const stopped = events.findIndex((e) => e.type === 'step-left' && e.step === 'stoppingBlue')
      const during = events.slice(0, stopped).filter((e) => e.type === 'savepoint-progress')
      expect(during.length, JSON.stringify(events)).toBeGreaterThan(0)
      expect(during.every((e) => e.jobId === blueId && e.subtasks > 0)).toBe(true)
      expect(during.some((e) => e.acknowledged < e.subtasks)).toBe(true)
      const restore = events.filter((e) => e.type === 'restore-progress')
      expect(restore.length).toBeGreaterThan(0)
      expect(restore.every((e) => e.role === 'green' && e.jobId === result.greenJobId)).toBe(true)
      expect(restore.some((e) => e.running < e.subtasks)).toBe(true)

      const green = await exampleCounts(flink.client, result.greenJobId!)
      expect(green.stateCount - green.processed).toBeGreaterThanOrEqual(before)
      blueId = result.greenJobId!
    })

    /** A savepoint upgrade: green restored that savepoint, by path, and the counts continued. */
    async function savepointUpgrade(name: string, extra: Partial<UpgradeOptions>): Promise<void> {
      const before = await countedAndCheckpointed(blueId)
      const result = await upgrade(release(name, extra), flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      console.log(
        `large state ${STATE_MB} MB ${JSON.stringify(extra)} on Flink ${version}: downtime ${result.downtimeMs} ms (estimated ${result.estimate?.downtimeMs} ms)`,
      )
      const stats = await flink.client.checkpoints.statistics({ jobid: result.greenJobId! })
      expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
      const green = await exampleCounts(flink.client, result.greenJobId!)
      expect(green.stateCount - green.processed).toBeGreaterThanOrEqual(before)
      blueId = result.greenJobId!
    }

    it('large state: a native savepoint upgrade; the counts continue', async () => {
      await savepointUpgrade('v2', { savepointFormat: 'native' })
    })

    // Last: green owns the claimed savepoint, and a last-state upgrade of such a job failed on 2.3 (bench).
    it('large state: a native savepoint upgrade with CLAIM; the counts continue', async () => {
      await savepointUpgrade('v1', { savepointFormat: 'native', claimMode: 'CLAIM' })
    })
  })

  // Its own small cluster: the refusal needs no state to speak of, only a source that cannot replay.
  describe(`large state: last-state refused when a source cannot replay, real Flink ${version}`, () => {
    const flink = exampleJobOnFlink({
      version,
      jobName: 'orders-socket',
      options: { verify: { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 120_000 } },
      cluster: { slots: 2, checkpointInterval: '1 s' },
    })
    let server: Server
    const connections = new Set<Socket>()

    beforeAll(async () => {
      // What the job's socket source reads: numbers, one a line, to every connection.
      server = createServer((socket) => {
        connections.add(socket)
        socket.on('close', () => connections.delete(socket))
        let n = 0
        const timer = setInterval(() => socket.write(`${n++}\n`), 20)
        socket.on('close', () => clearInterval(timer))
        socket.on('error', () => clearInterval(timer))
      })
      await new Promise<void>((resolve) => server.listen(0, resolve))
    })

    afterAll(async () => {
      for (const socket of connections) socket.destroy()
      await new Promise((resolve) => server?.close(resolve))
    })

    it('large state: a legacy socket source, refused before blue is touched; with the override it upgrades', async () => {
      const { client, runtime } = flink
      const socket = ['--source', 'socket', '--socket-port', String((server.address() as AddressInfo).port)]
      const release = (name: string, extra: Partial<UpgradeOptions> = {}) =>
        flink.release(name, { ...extra, args: socket })
      const deployed = await upgrade(release('v1'), runtime)
      expect(deployed.outcome, deployed.summary).toBe('upgraded')
      const blueId = deployed.greenJobId!
      await vi.waitFor(
        async () => {
          if (!(await client.checkpoints.statistics({ jobid: blueId })).latest.completed)
            throw new Error('no checkpoint yet')
        },
        { timeout: 60_000, interval: 500 },
      )
      const refused = await upgrade(
        release('v2', { upgradeMode: 'last-state', lastStateMaxAgeMs: 60_000 }),
        runtime,
      )
      expect(refused.outcome, refused.summary).toBe('aborted-blue-untouched')
      expect(refused.error?.step).toBe('preflight')
      expect(refused.error?.message).toMatch(
        /last-state refused: .*Source: events.* \(it reports no sourceIdleTime: not a FLIP-27 source/,
      )
      const blue = await client.jobs.get({ jobid: blueId })
      expect(blue.state).toBe('RUNNING')
      expect(blue.vertices.every((v) => v.status === 'RUNNING')).toBe(true)
      // Nothing was asked of blue: no savepoint and no cancellation.
      expect((await client.checkpoints.statistics({ jobid: blueId })).latest.savepoint).toBeFalsy()

      const vouched = await upgrade(
        release('v2', { upgradeMode: 'last-state', lastStateMaxAgeMs: 60_000, assumeSourcesReplay: true }),
        runtime,
      )
      expect(vouched.outcome, vouched.summary).toBe('upgraded')
      expect(vouched.savepointPath).toMatch(/chk-\d+/)
    })
  })
}
