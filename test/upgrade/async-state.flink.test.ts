/**
 * A job that refuses canonical savepoints, on real Flink 2.3: the example job with --async-state keeps its
 * keyed state through the async state API (State V2), and Flink 2.x cannot write a canonical savepoint of
 * such an operator (UnsupportedOperationException "Not supported yet." in StreamOperatorStateHandler). The
 * failed snapshot fails the task and Flink restarts blue from its latest checkpoint, staying RUNNING through
 * the region failover. The run must see that, say it, and never call blue untouched; the fallback, when
 * allowed, upgrades from the latest checkpoint; a native savepoint upgrades normally. Flink 1.20 has no
 * DataStream async state API: there the switch is refused at start with the program's own message.
 */
import { type UpgradeResult, upgrade } from '@flink-deploy/core'
import { flinkMajor, selectedFlinkVersions } from '@flink-deploy/local-flink'
import { describe, expect, it, vi } from 'vitest'
import { exampleJobOnFlink } from '../support/example-job-on-flink.ts'
import { recordPrinted } from '../support/printed-record.ts'
import { exampleCounts } from './example-gauges.ts'

const verify = { checkpoints: 1, stabilisationMs: 3_000, timeoutMs: 90_000 }
/** The clusters restart after 1 s (fixed-delay): 4 s without a new failure is settled. */
const timeouts = { blueSettleMs: 4_000 }

for (const version of selectedFlinkVersions()) {
  const major = flinkMajor(version)
  describe(`a job on async state, real Flink ${version}`, () => {
    const flink = exampleJobOnFlink({
      version,
      jobName: 'orders-async',
      args: ['--async-state'],
      options: { verify, timeouts },
    })
    const { release } = flink

    const counts = (jobid: string) => exampleCounts(flink.client, jobid)

    /** Blue has counted events and completed a checkpoint after that. */
    async function withCheckpoint(jobid: string): Promise<void> {
      await vi.waitFor(
        async () => {
          const stats = await flink.client.checkpoints.statistics({ jobid })
          if (!stats.latest.completed) throw new Error('no checkpoint yet')
          if ((await counts(jobid)).stateCount < 200) throw new Error('not enough counted')
        },
        { timeout: 60_000, interval: 500 },
      )
    }

    /** What the cluster says about blue now, to hold the result against. */
    async function blueNow(jobid: string) {
      const [job, history] = await Promise.all([
        flink.client.jobs.get({ jobid }),
        flink.client.jobs.exceptions({ jobid, query: { maxExceptions: 50 } }),
      ])
      return {
        state: job.state,
        allRunning: job.vertices.every((v) => v.status === 'RUNNING'),
        failures: history.exceptionHistory.entries.length,
      }
    }

    const neverUntouchedUnlessHealthy = (result: UpgradeResult) => {
      if (result.outcome === 'aborted-blue-untouched')
        expect(result.blueAfterSavepoint?.condition ?? 'healthy').toBe('healthy')
    }

    if (major < 2) {
      it('--async-state is refused at start with the program message: 1.20 has no async state API', async () => {
        const result = await upgrade(release('v1'), flink.runtime)
        expect(result.outcome).toBe('aborted-blue-untouched')
        expect(result.error).toMatchObject({ step: 'startingGreen', code: 'RELEASE_START_FAILED' })
        expect(result.error?.message).toContain(
          'java.lang.IllegalArgumentException: --async-state needs Flink 2.x: this jar was built for Flink 1.x, which has no async state API',
        )
        expect((await flink.client.jobs.list()).jobs).toEqual([])
      })
      return
    }

    let blueId: string

    it('deploys the async state job', async () => {
      const result = await upgrade(release('v1'), flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      blueId = result.greenJobId!
      await withCheckpoint(blueId)
    })

    it('the default (canonical) upgrade fails, blue restarts, and the report matches the cluster now and later', async () => {
      const result = await upgrade(release('v2'), flink.runtime)
      recordPrinted(result.summary) // its recovery command must be one the CLI accepts
      console.log(
        `canonical refusal on ${version}: ${result.totalMs} ms in all, blue watched ${result.blueAfterSavepoint?.watchedMs} ms\n${result.summary}`,
      )
      expect(result.outcome, result.summary).toBe('failed-needs-attention')
      expect(result.error?.step).toBe('stoppingBlue')
      expect(result.blueAfterSavepoint).toMatchObject({ condition: 'restarted', state: 'RUNNING' })
      expect(result.blueAfterSavepoint!.failures).toBeGreaterThanOrEqual(1)
      expect(result.error?.message).toContain('java.lang.UnsupportedOperationException: Not supported yet.')
      expect(result.summary).toContain('use savepoint format native')
      expect(result.recovery).toContain(`--job-id ${blueId}`)
      expect(result.recovery).toContain('--savepoint-format native')
      expect(result.running).toEqual([
        {
          role: 'blue',
          jobId: blueId,
          state: 'RUNNING',
          cluster: flink.client.url,
          tasks: { running: 2, total: 2 },
          subtasksRunning: true,
        },
      ])
      neverUntouchedUnlessHealthy(result)

      const now = await blueNow(blueId)
      expect(now).toMatchObject({ state: 'RUNNING', allRunning: true })
      expect(now.failures).toBe(result.blueAfterSavepoint!.failures)
      await new Promise((r) => setTimeout(r, 5_000))
      expect(await blueNow(blueId)).toEqual(now)
      expect(
        (await flink.client.jobs.list()).jobs.filter(
          (j) => j.status !== 'FINISHED' && j.status !== 'CANCELED' && j.status !== 'FAILED',
        ),
      ).toEqual([{ id: blueId, status: 'RUNNING' }])
    })

    it('the next canonical run is refused in preflight: no second restart of blue', async () => {
      const failuresBefore = (await blueNow(blueId)).failures
      const result = await upgrade(release('v2'), flink.runtime)
      expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'PREFLIGHT_FAILED' })
      expect(result.error?.message).toContain('Use savepoint format native')
      expect(await blueNow(blueId)).toMatchObject({
        state: 'RUNNING',
        allRunning: true,
        failures: failuresBefore,
      })
    })

    it('a native savepoint upgrades it; green restores the state', async () => {
      const before = (await counts(blueId)).stateCount
      const result = await upgrade(release('v2', { savepointFormat: 'native' }), flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      expect(result.savepointFormat).toBe('native')
      expect((await flink.client.jobs.status({ jobid: blueId })).status).toBe('FINISHED')
      const stats = await flink.client.checkpoints.statistics({ jobid: result.greenJobId! })
      expect(stats.latest.restored).toMatchObject({ external_path: result.savepointPath, is_savepoint: true })
      const green = await counts(result.greenJobId!)
      expect(green.stateCount - green.processed).toBeGreaterThanOrEqual(before)
      blueId = result.greenJobId!
      await withCheckpoint(blueId)
    })

    it('with the checkpoint fallback allowed, the canonical refusal ends upgraded from the latest checkpoint', async () => {
      const result = await upgrade(release('v1', { checkpointFallbackMaxAgeMs: 60_000 }), flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      expect(result.blueAfterSavepoint?.condition).toBe('restarted')
      expect(result.savepointPath).toMatch(/chk-\d+/)
      expect(result.warnings).toContain(
        'blue could not take a savepoint; green starts from its latest checkpoint',
      )
      expect((await flink.client.jobs.status({ jobid: blueId })).status).toBe('CANCELED')
      const stats = await flink.client.checkpoints.statistics({ jobid: result.greenJobId! })
      // Flink marks any restore through savepointPath as a savepoint restore, a checkpoint's too.
      expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
      const green = await counts(result.greenJobId!)
      expect(green.stateCount - green.processed).toBeGreaterThan(0)
      blueId = result.greenJobId!
    })

    it('a blue with no restart left FAILS: reported as FAILED with the command that recovers from its latest checkpoint', async () => {
      await flink.client.jobs.cancel({ jobid: blueId, query: { mode: 'cancel' } })
      await vi.waitFor(async () => {
        if ((await flink.client.jobs.status({ jobid: blueId })).status !== 'CANCELED')
          throw new Error('not cancelled yet')
      })
      const deployed = await upgrade(release('v1', { args: ['--restart-attempts', '0'] }), flink.runtime)
      expect(deployed.outcome, deployed.summary).toBe('upgraded')
      blueId = deployed.greenJobId!
      await withCheckpoint(blueId)

      const result = await upgrade(release('v2', { args: ['--restart-attempts', '0'] }), flink.runtime)
      recordPrinted(result.summary)
      expect(result.outcome, result.summary).toBe('failed-needs-attention')
      expect(result.blueAfterSavepoint).toMatchObject({ condition: 'ended', state: 'FAILED' })
      expect(result.running).toEqual([])
      expect((await flink.client.jobs.status({ jobid: blueId })).status).toBe('FAILED')
      const checkpoint = (await flink.client.checkpoints.statistics({ jobid: blueId })).latest.completed!
        .external_path!
      expect(result.recovery).toContain(`--initial-savepoint ${checkpoint}`)

      // The command it names works: a first deployment from that checkpoint.
      const recovered = await upgrade(
        { ...release('v2', { args: ['--restart-attempts', '0'] }), initialSavepoint: checkpoint },
        flink.runtime,
      )
      expect(recovered.outcome, recovered.summary).toBe('upgraded')
      const stats = await flink.client.checkpoints.statistics({ jobid: recovered.greenJobId! })
      expect(stats.latest.restored?.external_path).toBe(checkpoint)
    })
  })
}
