/**
 * Every route the client declares gets an answer from the fake that parses with the client's schema, for
 * both imitated versions. New routes fail here until the fake serves them (or are listed as expected errors).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type AllRouteKey, allRoutes } from '../client/routes/index.ts'
import { FlinkApiError } from '../errors.ts'
import { GREEN_ID, JOB_ID, type Started, transports, writeTinyJar } from './test-support.ts'

/** Routes whose correct Flink answer is an error status. */
const EXPECTED_ERRORS: Partial<Record<AllRouteKey, number>> = {
  'POST /jobs': 400,
  'PATCH /jobs/:jobid/rescaling': 503,
  'GET /jobs/:jobid/rescaling/:triggerid': 503,
  // The default scheduler refuses both resource requirement endpoints (only the adaptive one answers).
  'GET /jobs/:jobid/resource-requirements': 500,
  'PUT /jobs/:jobid/resource-requirements': 500,
}

/** Run last, in this order: they change the cluster. */
const DESTRUCTIVE: string[] = ['PATCH /jobs/:jobid', 'DELETE /jars/:jarid', 'DELETE /cluster']

describe.each(['1.20.5', '2.3.0'])('every client route against the fake (Flink %s)', (version) => {
  let started: Started
  let params: Record<string, unknown>
  const bodies: Partial<Record<AllRouteKey, unknown>> = {}
  const queries: Partial<Record<AllRouteKey, unknown>> = {}

  beforeAll(async () => {
    started = await transports['in-process']({ version, config: { 'rest.flamegraph.enabled': 'true' } })
    const { client, fake } = started
    const jar = await client.jars.upload(await writeTinyJar())
    await client.jars.run({ jarid: jar.jarId, body: { jobId: JOB_ID, parallelism: 2 } })
    await vi.waitFor(() => expect(fake.cluster.job(JOB_ID)?.latestCompleted).toBeTruthy(), {
      timeout: 3_000,
      interval: 10,
    })
    const job = fake.cluster.job(JOB_ID)!
    const dataset = fake.cluster.addDataset()
    const { triggerId } = await client.operations.savepoint(JOB_ID)
    const checkpoint = await client.operations.checkpoint(JOB_ID)
    params = {
      jobid: JOB_ID,
      jarid: jar.jarId,
      vertexid: job.vertices[1]!.id,
      triggerid: triggerId,
      checkpointid: job.latestCompleted!.id,
      subtaskindex: 0,
      attempt: 0,
      taskmanagerid: fake.cluster.taskManagers[0]!.id,
      datasetid: dataset.id,
    }
    const triggers: Partial<Record<AllRouteKey, string>> = {
      'GET /jobs/:jobid/checkpoints/:triggerid': checkpoint.triggerId,
      'GET /savepoint-disposal/:triggerid': (
        await client.savepoints.dispose({ body: { 'savepoint-path': 'file:/nowhere' } })
      )['request-id'],
      'GET /datasets/delete/:triggerid': (await client.datasets.delete({ datasetid: dataset.id }))[
        'request-id'
      ],
    }
    Object.assign(
      overrides,
      Object.fromEntries(Object.entries(triggers).map(([k, v]) => [k, { triggerid: v }])),
    )
    // POST /jobs/:jobid/stop finishes the first job; the cancel goes to the job started by POST /jars/:jarid/run.
    overrides['PATCH /jobs/:jobid'] = { jobid: GREEN_ID }
    Object.assign(bodies, {
      'POST /jars/:jarid/run': { jobId: GREEN_ID },
      'POST /savepoint-disposal': { 'savepoint-path': 'file:/nowhere' },
      'PUT /jobs/:jobid/resource-requirements': {
        [job.vertices[0]!.id]: { parallelism: { lowerBound: 1, upperBound: 2 } },
      },
      'POST /jobs': { jobGraphFileName: 'job.bin' },
    })
    Object.assign(queries, { 'PATCH /jobs/:jobid/rescaling': { parallelism: 2 } })
  })
  const overrides: Partial<Record<AllRouteKey, Record<string, unknown>>> = {}

  afterAll(async () => {
    await started?.close()
  })

  const keys = (Object.keys(allRoutes) as AllRouteKey[]).filter((k) => k !== 'POST /jars/upload')
  const ordered = [
    ...keys.filter((k) => !DESTRUCTIVE.includes(k)),
    ...DESTRUCTIVE.filter((k) => (keys as string[]).includes(k)),
  ] as AllRouteKey[]
  for (const key of ordered) {
    it(key, async () => {
      const args: Record<string, unknown> = { ...params, ...overrides[key] }
      if (bodies[key] !== undefined) args.body = bodies[key]
      if (queries[key] !== undefined) args.query = queries[key]
      const pathParams = [...key.matchAll(/:([a-z]+)/g)].map((m) => m[1]!)
      const callArgs = Object.fromEntries(
        Object.entries(args).filter(([k]) => pathParams.includes(k) || k === 'body' || k === 'query'),
      )
      const call = started.client.request(key, callArgs as never)
      const expected = EXPECTED_ERRORS[key]
      if (expected !== undefined) {
        const error = await (call as Promise<unknown>).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(FlinkApiError)
        expect((error as FlinkApiError).status).toBe(expected)
      } else {
        const outcome = await (call as Promise<unknown>).then(
          () => 'parsed',
          (e: unknown) => String(e),
        )
        expect(outcome).toBe('parsed')
      }
    })
  }
})
