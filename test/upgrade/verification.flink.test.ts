/**
 * Verification on real Flink, on a cluster whose periodic checkpoints are 10 minutes apart: the checks run
 * side by side from the moment green runs, a checkpoint is triggered through the REST API at once (the
 * evidence and the report say what became of it), and a release that keeps restarting is still rolled back
 * although the window now starts as soon as green runs.
 */
import { formatCheck, upgrade } from '@flink-deploy/core'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { describe, expect, it } from 'vitest'
import { exampleJobOnFlink } from '../support/example-job-on-flink.ts'

const verify = { checkpoints: 1, stabilisationMs: 3_000, timeoutMs: 60_000 }

for (const version of selectedFlinkVersions()) {
  describe(`verification on real Flink ${version}`, () => {
    const flink = exampleJobOnFlink({
      version,
      cluster: { checkpointInterval: '10 min' },
      options: { verify },
      deployFirst: true,
    })
    const { release } = flink

    it('green passes with a checkpoint triggered after its restore, the checks side by side', async () => {
      const result = await upgrade(release('v2'), flink.runtime)
      expect(result.outcome, result.summary).toBe('upgraded')
      const check = (name: string) => result.checks.find((c) => c.name === name)!
      const checkpoints = check('checkpoints-after-restore')
      // The trigger went out as soon as green ran, and the evidence says what became of it.
      expect(checkpoints.evidence.triggered).toMatchObject({ checkpoints: expect.any(Array) })
      // Flink may complete a checkpoint of its own first; whichever counted, Flink lists it as a completed
      // checkpoint (not a savepoint) of green, taken after the restore.
      const restoredId = checkpoints.evidence.restoredCheckpointId as number
      const counted = checkpoints.evidence.completedAfterRestore as number[]
      expect(counted.length).toBeGreaterThanOrEqual(1)
      for (const id of counted) {
        expect(id).toBeGreaterThan(restoredId)
        const details = await flink.client.checkpoints.details({
          jobid: result.greenJobId!,
          checkpointid: id,
        })
        expect(details).toMatchObject({ status: 'COMPLETED', is_savepoint: false })
      }
      const triggered = checkpoints.evidence.triggered as { checkpoints: { checkpointId?: number }[] }
      const mine = triggered.checkpoints.flatMap((c) =>
        c.checkpointId === undefined ? [] : [c.checkpointId],
      )
      for (const id of mine.filter((m) => counted.includes(m)))
        expect(formatCheck(checkpoints)).toContain(`${id} triggered by flink-deploy`)
      // Whatever became of it, the report line names the trigger.
      expect(formatCheck(checkpoints)).toMatch(/triggered by flink-deploy|flink-deploy (also )?triggered/)
      // The window ran beside the checkpoint, not after it.
      const stable = check('stable-for')
      expect(stable.startedAt).toBeLessThanOrEqual(checkpoints.startedAt + checkpoints.durationMs)
      // The example job's generator source reports no backlog: caught-up is skipped, and says why.
      expect(check('caught-up')).toMatchObject({
        passed: true,
        message: 'Skipped: the sources (Source: events) report no pendingRecords metric',
      })
    })

    it('a release that restarts and runs again is rolled back', async () => {
      const result = await upgrade(
        release('v1', { args: ['--fail-after', '1', '--restart-attempts', '10'] }),
        flink.runtime,
      )
      expect(result.outcome, result.summary).toBe('rolled-back')
      expect(result.error?.message).toMatch(/stable-for|all-vertices-running/)
      const restarted = result.running.find((r) => r.role === 'blue-restarted')
      expect(restarted?.state).toBe('RUNNING')
    })

    it('a blue whose TaskManager dies during a blue-green upgrade is reported RUNNING with 0 subtasks running, not untouched', async () => {
      const blueId = (await flink.client.jobs.overview()).jobs.find(
        (j) => j.name === 'orders' && j.state === 'RUNNING',
      )!.jid
      try {
        const result = await upgrade(
          {
            ...release('v2'),
            strategy: 'blue-green',
            verify: { ...verify, timeoutMs: 20_000 },
            timeouts: { blueSettleMs: 3_000 },
          },
          {
            ...flink.runtime,
            onEvent: (e) => {
              if (e.type === 'job-submitted' && e.role === 'green') void flink.cluster.killTaskManager()
            },
          },
        )
        expect(result.outcome, result.summary).toBe('failed-needs-attention')
        const blue = result.running.find((r) => r.role === 'blue')!
        expect(blue).toMatchObject({ jobId: blueId, state: 'RUNNING', subtasksRunning: false })
        expect(blue.tasks.running).toBeLessThan(blue.tasks.total)
        expect(result.summary).toMatch(
          new RegExp(`blue job ${blueId} \\(RUNNING but \\d+ of ${blue.tasks.total} subtasks run\\)`),
        )
        expect(result.summary).toContain(`recover from savepoint ${result.savepointPath}`)
      } finally {
        await flink.cluster.startTaskManager()
      }
    })
  })
}
