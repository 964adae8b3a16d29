import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FlinkApiError, FlinkResponseShapeError, InvalidArgumentError } from '../errors.ts'
import { type MockedFlink, mockFlink } from './routes/route-test-kit.ts'

const JOB = '0123456789abcdef0123456789abcdef'

describe('responses that are not what the endpoint returns', () => {
  let flink: MockedFlink
  beforeEach(() => {
    flink = mockFlink()
  })
  afterEach(() => flink.agent.close())

  it('an HTML page with status 200 (a proxy login page) is a shape error that names the endpoint', async () => {
    flink.reply('GET', '/overview', 200, '<html><body>Please sign in</body></html>', {
      'content-type': 'text/html',
    })
    const error = await flink.client.cluster.overview().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkResponseShapeError)
    expect(error).toMatchObject({ code: 'FLINK_RESPONSE_SHAPE', endpoint: 'GET /overview' })
    expect((error as Error).message).toContain('body is not JSON (content-type text/html')
    expect((error as Error).message).toContain('Please sign in')
  })

  it('truncated JSON is a shape error, not a SyntaxError', async () => {
    flink.reply('GET', `/jobs/${JOB}`, 200, '{"jid":"0123456789abcdef0123456789abcdef","name":"ord')
    const error = await flink.client.jobs.get({ jobid: JOB }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkResponseShapeError)
    expect((error as Error).message).toContain('Unexpected response from GET /jobs/:jobid')
  })

  it('a field of the wrong type is reported with its path', async () => {
    flink.reply('GET', `/jobs/${JOB}/status`, 200, { status: 42 })
    const error = await flink.client.jobs.status({ jobid: JOB }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkResponseShapeError)
    expect((error as FlinkResponseShapeError).issues).toMatch(/→ at status/)
  })

  it('an error page from a proxy keeps a readable snippet of its text', async () => {
    flink.reply('GET', '/overview', 502, '<html><h1>502 Bad Gateway</h1><p>nginx</p></html>', {
      'content-type': 'text/html',
    })
    const error = (await flink.client.cluster.overview().catch((e: unknown) => e)) as FlinkApiError
    expect(error).toBeInstanceOf(FlinkApiError)
    expect(error.message).toBe('Flink answered 502 to GET /v1/overview: 502 Bad Gateway nginx')
  })

  it("Flink's own error body keeps the first line of each message", async () => {
    flink.reply('PATCH', `/jobs/${JOB}?mode=cancel`, 409, {
      errors: [
        'Job cancellation failed because the job has already reached another terminal state (FINISHED).\n\tat x',
      ],
    })
    const error = (await flink.client.jobs
      .cancel({ jobid: JOB, query: { mode: 'cancel' } })
      .catch((e: unknown) => e)) as FlinkApiError
    expect(error.status).toBe(409)
    expect(error.message).toBe(
      `Flink answered 409 to PATCH /v1/jobs/${JOB}: Job cancellation failed because the job has already reached another terminal state (FINISHED).`,
    )
  })

  it('new fields from a newer Flink are kept, not rejected', async () => {
    flink.reply('GET', `/jobs/${JOB}/status`, 200, { status: 'RUNNING', 'application-id': 'abc' })
    expect(await flink.client.jobs.status({ jobid: JOB })).toEqual({
      status: 'RUNNING',
      'application-id': 'abc',
    })
  })
})

describe('request bodies are checked before sending', () => {
  it('a misspelt field is an InvalidArgumentError and nothing is sent', async () => {
    const flink = mockFlink()
    const error = await flink.client.savepoints
      .stop({ jobid: JOB, body: { targetDirecory: 's3://bucket/sp' } as never })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toBe('Invalid body: Unrecognized key: "targetDirecory"')
    expect(flink.agent.getCallHistory()?.calls()).toHaveLength(0)
  })

  it('a trigger id that Flink would reject is caught here', async () => {
    const flink = mockFlink()
    const error = await flink.client.savepoints
      .trigger({ jobid: JOB, body: { triggerId: 'xyz' } })
      .catch((e: unknown) => e)
    expect((error as Error).message).toBe('Invalid body.triggerId: expected 32 lowercase hex characters')
  })
})
