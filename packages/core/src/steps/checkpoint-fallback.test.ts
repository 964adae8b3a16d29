import { afterEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import { useLatestCheckpoint } from './checkpoint-fallback.ts'

describe('useLatestCheckpoint', () => {
  let fake: InProcessFakeFlink
  let client: FlinkClient
  afterEach(async () => {
    await client.close()
    await fake.stop()
  })

  async function runningJob(checkpointIntervalMs: number, flinkConfiguration: Record<string, string> = {}) {
    fake = await startFakeFlink({ version: '2.3.0', timing: { checkpointIntervalMs } })
    client = createFlinkClient({ baseUrl: fake.url })
    const jar = fake.cluster.uploadJar('orders.jar', 1)
    const jobId = fake.cluster.runJar(jar.id, {
      programArgs: ['--name', 'orders'],
      allowNonRestoredState: false,
      claimMode: 'NO_CLAIM',
      flinkConfiguration,
    }).id
    await expect.poll(() => fake.cluster.job(jobId)?.latestCompleted, { timeout: 3_000 }).toBeTruthy()
    return jobId
  }

  it('chooses the checkpoint blue retained once cancelled, not one a later checkpoint deleted', async () => {
    const jobId = await runningJob(20)
    // The cancel request takes long enough for blue to complete several more checkpoints, each deleting the last.
    fake.faults.latency(200, { match: 'PATCH /jobs/:jobid' })
    const { location } = await useLatestCheckpoint(client, { jobId, maxAgeMs: 60_000, timeoutMs: 3_000 })
    expect(fake.cluster.job(jobId)?.state).toBe('CANCELED')
    expect(location).toBe(fake.cluster.job(jobId)!.latestCompleted!.externalPath)
    expect(fake.cluster.snapshot(location), `${location} still exists`).toBeDefined()
  })

  it('leaves blue running when its latest checkpoint is older than allowed', async () => {
    const jobId = await runningJob(20)
    await new Promise((r) => setTimeout(r, 50))
    await expect(useLatestCheckpoint(client, { jobId, maxAgeMs: 1, timeoutMs: 3_000 })).rejects.toThrow(
      /the latest checkpoint is \d+ s old, over the allowed 0.001 s/,
    )
    expect(fake.cluster.job(jobId)?.state).toBe('RUNNING')
  })

  for (const retention of ['DELETE_ON_CANCELLATION', 'NO_EXTERNALIZED_CHECKPOINTS']) {
    it(`leaves a running blue alone when its checkpoints are not retained on cancellation (${retention})`, async () => {
      const jobId = await runningJob(20, {
        'execution.checkpointing.externalized-checkpoint-retention': retention,
      })
      await expect(
        useLatestCheckpoint(client, { jobId, maxAgeMs: 60_000, timeoutMs: 3_000 }),
      ).rejects.toThrow(
        /the fallback needs execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION/,
      )
      expect(fake.cluster.job(jobId)?.state).toBe('RUNNING')
    })
  }
})
