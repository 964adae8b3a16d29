import { describe, expect, it, vi } from 'vitest'
import {
  FlinkApiError,
  FlinkOperationFailedError,
  FlinkResponseShapeError,
  FlinkTransportError,
} from '../errors.ts'
import { GREEN_ID, JOB_ID, transports, writeTinyJar } from './test-support.ts'

const WAIT = { timeout: 3_000, interval: 10 }

describe.each(Object.entries(transports))('fake Flink (%s)', (_name, start) => {
  it('runs the blue-green flow: upload, run, savepoint, stop, restore, cancel', async () => {
    const { fake, client, close } = await start({
      programs: { 'wordcount.jar': { jobName: (args) => `wordcount ${args.join(' ')}` } },
    })
    try {
      const jar = await client.jars.upload(await writeTinyJar('wordcount.jar'))
      expect(jar.jarId).toMatch(/^[0-9a-f-]{36}_wordcount\.jar$/)
      expect((await client.jars.list()).files.map((f) => f.id)).toEqual([jar.jarId])

      const run = await client.jars.run({
        jarid: jar.jarId,
        body: { jobId: JOB_ID, parallelism: 2, programArgsList: ['--color', 'blue'] },
      })
      expect(run.jobid).toBe(JOB_ID)
      await vi.waitFor(async () => {
        const details = await client.jobs.get({ jobid: JOB_ID })
        expect(details.state).toBe('RUNNING')
        expect(details.vertices.every((v) => v.status === 'RUNNING')).toBe(true)
      }, WAIT)
      const details = await client.jobs.get({ jobid: JOB_ID })
      expect(details.name).toBe('wordcount --color blue')
      expect(details.timestamps.INITIALIZING).toBeGreaterThan(0)
      expect(details.timestamps.RUNNING).toBeGreaterThanOrEqual(details.timestamps.CREATED!)
      expect((await client.cluster.overview())['slots-available']).toBe(2)

      // Same triggerId twice: one savepoint, the same request id.
      const triggerId = 'feedfacefeedfacefeedfacefeedface'
      const a = await client.savepoints.trigger({ jobid: JOB_ID, body: { triggerId } })
      const b = await client.savepoints.trigger({ jobid: JOB_ID, body: { triggerId } })
      expect(a['request-id']).toBe(triggerId)
      expect(b['request-id']).toBe(triggerId)
      const savepoint = await client.operations.awaitSavepoint(JOB_ID, triggerId)
      expect(savepoint).toMatch(/^file:\/tmp\/fake-flink\/savepoints\/savepoint-a1b2c3-[0-9a-f]{12}$/)
      expect(fake.cluster.snapshots().filter((s) => s.isSavepoint)).toHaveLength(1)

      const stopped = await client.operations.stopWithSavepoint(JOB_ID)
      await vi.waitFor(
        async () => expect((await client.jobs.status({ jobid: JOB_ID })).status).toBe('FINISHED'),
        WAIT,
      )
      expect((await client.jobs.get({ jobid: JOB_ID }))['end-time']).toBeGreaterThan(0)
      const saved = fake.cluster.snapshot(stopped.location)!.stateCount
      expect(saved).toBeGreaterThan(0)

      // The duplicate jobId is rejected like Flink does.
      const duplicate = await client.jars
        .run({ jarid: jar.jarId, body: { jobId: JOB_ID } })
        .catch((e: unknown) => e)
      expect(duplicate).toBeInstanceOf(FlinkApiError)
      expect((duplicate as FlinkApiError).status).toBe(400)
      expect((duplicate as FlinkApiError).errors[0]).toContain('Could not execute application.')
      expect((duplicate as FlinkApiError).errors[0]).toContain('DuplicateJobSubmissionException')

      await client.jars.run({
        jarid: jar.jarId,
        body: { jobId: GREEN_ID, savepointPath: stopped.location, claimMode: 'NO_CLAIM' },
      })
      await vi.waitFor(async () => {
        const stats = await client.checkpoints.statistics({ jobid: GREEN_ID })
        expect(stats.latest.restored?.external_path).toBe(stopped.location)
        expect(stats.latest.restored?.is_savepoint).toBe(true)
        expect(stats.counts.completed).toBeGreaterThan(0)
      }, WAIT)
      const vertexId = fake.cluster.job(GREEN_ID)!.statefulVertex.id
      const metric = await client.vertices.metrics({
        jobid: GREEN_ID,
        vertexid: vertexId,
        query: { get: ['0.counter.stateCount'] },
      })
      expect(Number(metric[0]!.value)).toBeGreaterThanOrEqual(saved)

      await client.jobs.cancel({ jobid: GREEN_ID })
      await vi.waitFor(
        async () => expect((await client.jobs.status({ jobid: GREEN_ID })).status).toBe('CANCELED'),
        WAIT,
      )
      // Like Flink: cancelling a cancelled job is accepted again, a finished one is a conflict.
      expect(await client.jobs.cancel({ jobid: GREEN_ID })).toEqual({})
      const finished = await client.jobs.cancel({ jobid: JOB_ID }).catch((e: unknown) => e)
      expect(finished).toMatchObject({ status: 409 })
      expect((await client.cluster.overview())['slots-available']).toBe(4)
    } finally {
      await close()
    }
  })

  it('answers 503 then succeeds when the client retries', async () => {
    const { fake, client, close } = await start()
    try {
      fake.faults.failNext(2, 503, { match: 'GET /overview', retryAfterSeconds: 0 })
      expect((await client.cluster.overview())['slots-total']).toBe(4)
      expect(fake.requests.filter((r) => r.path === '/overview').map((r) => r.outcome)).toEqual([
        503, 503, 200,
      ])
    } finally {
      await close()
    }
  })

  it('resets connections: a non-retried call sees a FlinkTransportError', async () => {
    const { fake, client, close } = await start()
    try {
      fake.faults.resetNext(1, { match: 'DELETE /cluster' })
      const error = await client.cluster.shutdown().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(FlinkTransportError)
      fake.faults.resetNext(1)
      expect((await client.cluster.config())['flink-version']).toBe('1.20.5')
    } finally {
      await close()
    }
  })

  it('fails a savepoint with a failure cause the operation helper reports', async () => {
    const { fake, client, close } = await start()
    try {
      const jar = await client.jars.upload(await writeTinyJar())
      await client.jars.run({ jarid: jar.jarId, body: { jobId: JOB_ID } })
      await vi.waitFor(() => expect(fake.cluster.job(JOB_ID)?.allTasksRunning).toBe(true), WAIT)
      fake.faults.failSavepoints(1)
      const error = await client.operations.stopWithSavepoint(JOB_ID).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(FlinkOperationFailedError)
      expect(error).toMatchObject({
        javaClass: 'org.apache.flink.runtime.checkpoint.CheckpointException',
        javaMessage: 'Not all required tasks are currently running.',
      })
      expect((await client.jobs.status({ jobid: JOB_ID })).status).toBe('RUNNING')
    } finally {
      await close()
    }
  })

  it('restarts the JobManager: trigger results and jars are gone, jobs recover from their checkpoint', async () => {
    const { fake, client, close } = await start()
    try {
      const jar = await client.jars.upload(await writeTinyJar())
      await client.jars.run({ jarid: jar.jarId, body: { jobId: JOB_ID } })
      await vi.waitFor(() => expect(fake.cluster.job(JOB_ID)?.latestCompleted).toBeTruthy(), WAIT)
      const { triggerId } = await client.operations.savepoint(JOB_ID)
      await fake.faults.restartJobManager({ downtimeMs: 20 })
      const status = await client.savepoints
        .status({ jobid: JOB_ID, triggerid: triggerId })
        .catch((e: unknown) => e)
      expect(status).toMatchObject({ status: 404 })
      expect((await client.jars.list()).files).toEqual([])
      await vi.waitFor(async () => {
        const stats = await client.checkpoints.statistics({ jobid: JOB_ID })
        expect(stats.latest.restored?.is_savepoint).toBe(false)
        expect((await client.jobs.status({ jobid: JOB_ID })).status).toBe('RUNNING')
      }, WAIT)
    } finally {
      await close()
    }
  })

  it('fails a job after it runs and records the exception', async () => {
    const { fake, client, close } = await start({ version: '2.3.0' })
    try {
      fake.faults.failJob({ afterRunningMs: 10, restarts: 1 })
      const jar = await client.jars.upload(await writeTinyJar())
      const run = await client.jars.run({ jarid: jar.jarId, body: { jobId: JOB_ID } })
      expect(run.applicationId).toBe(JOB_ID)
      await vi.waitFor(
        async () => expect((await client.jobs.status({ jobid: JOB_ID })).status).toBe('FAILED'),
        WAIT,
      )
      const exceptions = await client.jobs.exceptions({ jobid: JOB_ID })
      expect(exceptions.exceptionHistory.entries).toHaveLength(2)
      expect(exceptions['root-exception']).toBeUndefined()
      expect(fake.cluster.job(JOB_ID)!.numRestarts).toBe(1)
      const result = await client.jobs.executionResult({ jobid: JOB_ID })
      expect(result['job-execution-result']?.['application-status']).toBe('FAILED')
    } finally {
      await close()
    }
  })

  it('serves malformed answers for a path', async () => {
    const { fake, client, close } = await start()
    try {
      fake.faults.malformed('html', { match: '/overview', times: 1 })
      fake.faults.malformed('truncated-json', { match: '/overview', times: 1 })
      fake.faults.malformed('wrong-types', { match: '/overview', times: 1 })
      for (let i = 0; i < 3; i++)
        await expect(client.cluster.overview()).rejects.toBeInstanceOf(FlinkResponseShapeError)
      expect((await client.cluster.overview()).taskmanagers).toBe(1)
    } finally {
      await close()
    }
  })

  it('answers the job details and checkpoint statistics from a cache for restCacheMs, the overview and status fresh', async () => {
    const { client, close } = await start({ restCacheMs: 400 })
    try {
      const jar = await client.jars.upload(await writeTinyJar('cached.jar'))
      await client.jars.run({ jarid: jar.jarId, body: { jobId: JOB_ID } })
      await vi.waitFor(async () => {
        const listed = (await client.jobs.overview()).jobs.find((j) => j.jid === JOB_ID)
        expect(listed?.state).toBe('RUNNING')
      }, WAIT)
      const seen = await client.jobs.get({ jobid: JOB_ID })
      const stats = await client.checkpoints.statistics({ jobid: JOB_ID })
      await client.jobs.cancel({ jobid: JOB_ID })
      await vi.waitFor(
        async () => expect((await client.jobs.status({ jobid: JOB_ID })).status).toBe('CANCELED'),
        WAIT,
      )
      const listed = (await client.jobs.overview()).jobs.find((j) => j.jid === JOB_ID)
      expect(listed?.state).toBe('CANCELED')
      expect(await client.jobs.get({ jobid: JOB_ID })).toEqual(seen)
      expect(await client.checkpoints.statistics({ jobid: JOB_ID })).toEqual(stats)
      await vi.waitFor(
        async () => expect((await client.jobs.get({ jobid: JOB_ID })).state).toBe('CANCELED'),
        WAIT,
      )
    } finally {
      await close()
    }
  })

  it('answers unknown paths like Flink', async () => {
    const { fake, close } = await start()
    try {
      const response = await fetch(`${fake.url}/v1/nope`)
      expect(response.status).toBe(404)
      expect(await response.json()).toEqual({ errors: ['Unable to load requested file /v1/nope.'] })
    } finally {
      await close()
    }
  })
})
