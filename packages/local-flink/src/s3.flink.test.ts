/**
 * A real cluster with the s3 option writes checkpoints and savepoints to a real S3 server (moto) through
 * flink-s3-fs-hadoop, and a job restores from an s3:// savepoint. One S3 server and one cluster per version.
 */
import { basename } from 'node:path'
import { createFlinkClient, type FlinkClient } from '@flink-deploy/core'
import { type S3Server, startS3Server } from '@flink-deploy/local-s3'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FlinkCluster } from './cluster.ts'
import { startFlinkCluster } from './cluster.ts'
import { buildExampleJob, EXAMPLE_JOB } from './example-job.ts'
import { selectedFlinkVersions } from './versions.ts'

const bucket = 'flink-state'
const wait = { timeout: 90_000, interval: 500 }

for (const version of selectedFlinkVersions()) {
  describe(`Flink ${version} with state on S3`, () => {
    let s3: S3Server
    let cluster: FlinkCluster
    let client: FlinkClient
    let jarId: string
    let clusterId: string

    beforeAll(async () => {
      const jar = buildExampleJob(version)
      s3 = await startS3Server({ buckets: [bucket] })
      cluster = await startFlinkCluster({
        version,
        s3: { endpoint: s3.endpoint, accessKey: s3.accessKeyId, secretKey: s3.secretAccessKey, bucket },
      })
      clusterId = basename(cluster.workDir)
      client = createFlinkClient({ baseUrl: cluster.url })
      jarId = (await client.jars.upload(await jar)).jarId
    })

    afterAll(async () => {
      await client?.close().catch(() => {})
      await cluster?.stop()
      await s3?.stop()
    })

    const run = async (savepointPath?: string) => {
      const { jobid } = await client.jars.run({
        jarid: jarId,
        body: { programArgsList: ['--name', 's3-probe', '--rate', '200'], savepointPath },
      })
      await vi.waitFor(async () => {
        const job = await client.jobs.get({ jobid })
        expect(job.vertices.map((v) => v.status)).toEqual(job.vertices.map(() => 'RUNNING'))
      }, wait)
      return jobid
    }

    /** The counter's keyed-state size, once Flink's metric store has it. */
    const stateCount = async (jobid: string) => {
      const counter = (await client.jobs.get({ jobid })).vertices.find((v) => v.name.startsWith('counter'))!
      return vi.waitFor(async () => {
        const metrics = await client.vertices.metrics({
          jobid,
          vertexid: counter.id,
          query: { get: [EXAMPLE_JOB.metrics.stateCount()] },
        })
        const value = Number(metrics[0]?.value)
        expect(value).toBeGreaterThan(0)
        return value
      }, wait)
    }

    it('points checkpoints and savepoints at the bucket, with the secret key hidden by Flink', async () => {
      expect(cluster.savepointDir).toBe(`s3://${bucket}/savepoints/${clusterId}`)
      expect(cluster.checkpointDir).toBe(`s3://${bucket}/checkpoints/${clusterId}`)
      const config = await client.jobmanager.config()
      const value = (key: string) => config.find((e) => e.key === key)?.value
      expect(value('execution.checkpointing.savepoint-dir')).toBe(cluster.savepointDir)
      expect(value('s3.endpoint')).toBe(s3.endpoint)
      expect(JSON.stringify(config)).not.toContain(s3.secretAccessKey)
    })

    it('takes checkpoints and a savepoint into the bucket, and a new job restores from it', async () => {
      const first = await run()
      await vi.waitFor(async () => {
        const stats = await client.checkpoints.statistics({ jobid: first })
        expect(stats.latest.completed?.external_path).toMatch(
          `s3://${bucket}/checkpoints/${clusterId}/${first}/`,
        )
      }, wait)
      expect(await s3.listKeys(bucket, `checkpoints/${clusterId}/${first}/`)).toContainEqual(
        expect.stringMatching(/\/chk-\d+\/_metadata$/),
      )

      const counted = await stateCount(first)
      const { location } = await client.operations.savepoint(first, { timeoutMs: 90_000 })
      expect(location.startsWith(`s3://${bucket}/savepoints/${clusterId}/savepoint-`)).toBe(true)
      const savepointKey = location.slice(`s3://${bucket}/`.length)
      expect(await s3.listKeys(bucket, `${savepointKey}/`)).toContain(`${savepointKey}/_metadata`)
      await client.jobs.cancel({ jobid: first })

      const second = await run(location)
      await vi.waitFor(async () => {
        const { latest } = await client.checkpoints.statistics({ jobid: second })
        expect(latest.restored).toMatchObject({ external_path: location, is_savepoint: true })
      }, wait)
      expect(await stateCount(second)).toBeGreaterThanOrEqual(counted)
    })
  })
}
