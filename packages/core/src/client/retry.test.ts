import { afterEach, describe, expect, it } from 'vitest'
import { FlinkApiError, FlinkTransportError } from '../errors.ts'
import { mockFlink, ORIGIN } from './routes/route-test-kit.ts'

const JOB = '0123456789abcdef0123456789abcdef'
const TRIGGER = 'fedcba9876543210fedcba9876543210'
const fast = { retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 } }

function resetError(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
}

describe('retry policy', () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const a of open.splice(0)) await a.close()
  })
  function setup() {
    const flink = mockFlink(fast)
    open.push(flink.agent)
    const calls = () => flink.agent.getCallHistory()?.calls().length ?? 0
    return { ...flink, calls, pool: flink.agent.get(ORIGIN) }
  }

  it('retries a read after 503 and after a connection reset', async () => {
    const f = setup()
    f.reply('GET', '/overview', 503, { errors: ['unavailable'] })
    f.pool.intercept({ path: '/v1/overview', method: 'GET' }).replyWithError(resetError())
    f.reply('GET', '/overview', 200, {
      taskmanagers: 1,
      'slots-total': 4,
      'slots-available': 4,
      'jobs-running': 0,
      'jobs-finished': 0,
      'jobs-cancelled': 0,
      'jobs-failed': 0,
      'flink-version': '2.3.0',
    })
    await expect(f.client.cluster.overview()).resolves.toMatchObject({ taskmanagers: 1 })
    expect(f.calls()).toBe(3)
  })

  it('retries a savepoint trigger, which always carries a client trigger id', async () => {
    const f = setup()
    f.reply('POST', `/jobs/${JOB}/savepoints`, 502, 'bad gateway')
    f.reply('POST', `/jobs/${JOB}/savepoints`, 202, { 'request-id': TRIGGER })
    const answer = await f.client.savepoints.trigger({ jobid: JOB, body: { triggerId: TRIGGER } })
    expect(answer['request-id']).toBe(TRIGGER)
    expect(f.calls()).toBe(2)
  })

  it('never retries a jar run without a fixed job id: a second submission would start a second job', async () => {
    const f = setup()
    f.reply('POST', '/jars/a_job.jar/run', 503, { errors: ['busy'] })
    const error = await f.client.jars.run({ jarid: 'a_job.jar', body: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkApiError)
    expect(f.calls()).toBe(1)
  })

  it('retries a jar run whose job id is fixed', async () => {
    const f = setup()
    f.reply('POST', '/jars/a_job.jar/run', 504, 'timeout')
    f.reply('POST', '/jars/a_job.jar/run', 200, { jobid: JOB })
    await expect(f.client.jars.run({ jarid: 'a_job.jar', body: { jobId: JOB } })).resolves.toEqual({
      jobid: JOB,
    })
    expect(f.calls()).toBe(2)
  })

  it('does not retry errors that will not go away (400, 404, 409)', async () => {
    const f = setup()
    f.reply('GET', `/jobs/${JOB}`, 404, { errors: ['Job could not be found.'] })
    await expect(f.client.jobs.get({ jobid: JOB })).rejects.toMatchObject({ status: 404 })
    expect(f.calls()).toBe(1)
  })

  it('gives up after the configured retries and says how many attempts were made', async () => {
    const f = setup()
    for (let i = 0; i < 4; i++)
      f.pool.intercept({ path: '/v1/overview', method: 'GET' }).replyWithError(resetError())
    const error = (await f.client.cluster.overview().catch((e: unknown) => e)) as FlinkTransportError
    expect(error).toBeInstanceOf(FlinkTransportError)
    expect(error.reason).toBe('ECONNRESET')
    expect(error.attempts).toBe(4)
    expect(error.message).toBe('GET /v1/overview failed after 4 attempts: ECONNRESET: socket hang up')
  })

  it('waits as long as Retry-After asks on 429', async () => {
    const f = setup()
    f.reply('GET', '/jobs', 429, { errors: ['slow down'] }, { 'retry-after': '1' })
    f.reply('GET', '/jobs', 200, { jobs: [] })
    const started = performance.now()
    await expect(f.client.jobs.list()).resolves.toEqual({ jobs: [] })
    expect(performance.now() - started).toBeGreaterThanOrEqual(950)
  })

  describe('an unreachable JobManager (timeouts.unreachableMs)', () => {
    const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    const outage = (unreachableMs: number, failures: number) => {
      const flink = mockFlink({
        retry: { retries: 1, minDelayMs: 1, maxDelayMs: 20 },
        timeouts: { unreachableMs },
      })
      open.push(flink.agent)
      const pool = flink.agent.get(ORIGIN)
      flink.reply('GET', '/jobs', 200, { jobs: [] })
      for (let i = 0; i < failures; i++)
        pool.intercept({ path: '/v1/jobs', method: 'GET' }).replyWithError(refused())
      flink.reply('GET', '/jobs', 200, { jobs: [] })
      const calls = () => flink.agent.getCallHistory()?.calls().length ?? 0
      return { client: flink.client, calls }
    }

    it('is waited out, beyond the retries, once the JobManager had answered', async () => {
      const f = outage(5_000, 8)
      await f.client.jobs.list()
      await expect(f.client.jobs.list()).resolves.toEqual({ jobs: [] })
      expect(f.calls()).toBe(10)
    })

    it('fails once unreachableMs has passed, saying how many attempts were made', async () => {
      const f = outage(100, 50)
      await f.client.jobs.list()
      const started = performance.now()
      const error = (await f.client.jobs.list().catch((e: unknown) => e)) as FlinkTransportError
      expect(error).toBeInstanceOf(FlinkTransportError)
      expect(error.reason).toBe('ECONNREFUSED')
      expect(error.attempts).toBeGreaterThan(2)
      expect(performance.now() - started).toBeLessThan(1_000)
    })

    it('fails after the retries alone when the JobManager never answered (a wrong URL is not an outage)', async () => {
      const flink = mockFlink({ retry: { retries: 1, minDelayMs: 1, maxDelayMs: 20 } })
      open.push(flink.agent)
      const pool = flink.agent.get(ORIGIN)
      for (let i = 0; i < 3; i++)
        pool.intercept({ path: '/v1/jobs', method: 'GET' }).replyWithError(refused())
      const error = (await flink.client.jobs.list().catch((e: unknown) => e)) as FlinkTransportError
      expect(error.attempts).toBe(2)
    })
  })
})
