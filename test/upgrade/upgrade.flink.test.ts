/**
 * Upgrades on real Flink (each selected version: a JobManager and a TaskManager JVM on loopback) with the
 * example job. State continuity is proven by the job's own gauges: `stateCount` is the total held in keyed
 * state, `processedSinceStart` what this job instance added, so their difference is the count it restored.
 */
import { upgrade } from '@flink-deploy/core'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { describe, expect, it } from 'vitest'
import { exampleJobOnFlink } from '../support/example-job-on-flink.ts'
import { countedAtLeast, exampleCounts } from './example-gauges.ts'

const verify = { checkpoints: 1, stabilisationMs: 3_000, timeoutMs: 90_000 }

for (const version of selectedFlinkVersions()) {
  describe(`upgrades on real Flink ${version}`, () => {
    const flink = exampleJobOnFlink({ version, options: { verify } })
    const { release } = flink
    const counts = (jobid: string) => exampleCounts(flink.client, jobid)

    let blueId: string

    it('deploys v1 when nothing runs yet', async () => {
      const result = await upgrade(release('v1'), flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      blueId = result.greenJobId!
      await countedAtLeast(flink.client, blueId, 200)
    })

    it('stop-and-restart to v2: green restores the savepoint and the count continues', async () => {
      const before = await countedAtLeast(flink.client, blueId, 200)
      const result = await upgrade(release('v2'), flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      expect(result.blueJobId).toBe(blueId)
      expect((await flink.client.jobs.status({ jobid: blueId })).status).toBe('FINISHED')
      const stats = await flink.client.checkpoints.statistics({ jobid: result.greenJobId! })
      expect(stats.latest.restored).toMatchObject({ external_path: result.savepointPath, is_savepoint: true })
      const green = await counts(result.greenJobId!)
      expect(green.stateCount - green.processed).toBeGreaterThanOrEqual(before)
      expect(result.downtimeMs).toBeGreaterThan(0)
      expect(result.downtimeMs).toBeLessThan(60_000)
      blueId = result.greenJobId!
    })

    it('blue-green to v1: green starts beside blue from its savepoint, then blue stops', async () => {
      const before = await countedAtLeast(flink.client, blueId, 1)
      const result = await upgrade({ ...release('v1'), strategy: 'blue-green' }, flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      expect((await flink.client.jobs.status({ jobid: blueId })).status).toBe('FINISHED')
      const green = await counts(result.greenJobId!)
      expect(green.stateCount - green.processed).toBeGreaterThanOrEqual(before)
      expect(result.duplicateWindowMs).toBeGreaterThan(0)
      blueId = result.greenJobId!
    })

    it('stop-and-restart with a native savepoint: green restores it and verifies', async () => {
      const before = await countedAtLeast(flink.client, blueId, 1)
      const result = await upgrade({ ...release('v2'), savepointFormat: 'native' }, flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      expect(result.savepointFormat).toBe('native')
      expect(result.plan[0]).toBe(`stop blue ${blueId} with a native savepoint`)
      const blueStats = await flink.client.checkpoints.statistics({ jobid: blueId })
      const savepoint = blueStats.history.find((c) => c.external_path === result.savepointPath)
      expect(savepoint).toMatchObject({ is_savepoint: true, savepointFormat: 'NATIVE' })
      const stats = await flink.client.checkpoints.statistics({ jobid: result.greenJobId! })
      expect(stats.latest.restored).toMatchObject({ external_path: result.savepointPath, is_savepoint: true })
      expect(result.checks.find((c) => c.name === 'restored-from-savepoint')?.passed).toBe(true)
      const green = await counts(result.greenJobId!)
      expect(green.stateCount - green.processed).toBeGreaterThanOrEqual(before)
      blueId = result.greenJobId!
    })

    it('a release that crashes after starting is rolled back; blue runs again with its state', async () => {
      const before = await countedAtLeast(flink.client, blueId, 1)
      const result = await upgrade(
        release('v2', { args: ['--fail-after', '2', '--restart-attempts', '0'] }),
        flink.runtime,
      )
      expect(result.outcome, result.summary).toBe('rolled-back')
      const restarted = result.running.find((r) => r.role === 'blue-restarted')!
      expect(restarted).toBeDefined()
      const stats = await flink.client.checkpoints.statistics({ jobid: restarted.jobId })
      expect(stats.latest.restored?.external_path).toBe(result.savepointPath)
      const blue = await counts(restarted.jobId)
      expect(blue.stateCount - blue.processed).toBeGreaterThanOrEqual(before)
      blueId = restarted.jobId
    })

    it('an incompatible release is refused in preflight; blue is untouched', async () => {
      const result = await upgrade(release('v2', { args: ['--topology', 'incompatible'] }), flink.runtime)
      expect(result.outcome, result.summary).toBe('aborted-blue-untouched')
      expect(result.error).toMatchObject({ step: 'preflight', code: 'PREFLIGHT_FAILED' })
      expect(result.error!.message).toContain('counter')
      expect((await flink.client.jobs.status({ jobid: blueId })).status).toBe('RUNNING')
    })

    it('a dry run changes nothing', async () => {
      const jobIds = async () => (await flink.client.jobs.list()).jobs.map((j) => j.id).sort()
      const before = await jobIds()
      const result = await upgrade({ ...release('v2'), dryRun: true }, flink.runtime)
      expect(result.outcome).toBe('dry-run')
      expect(result.plan[0]).toBe(`stop blue ${blueId} with a canonical savepoint`)
      expect(await jobIds()).toEqual(before)
      expect((await flink.client.jobs.status({ jobid: blueId })).status).toBe('RUNNING')
    })
  })
}
