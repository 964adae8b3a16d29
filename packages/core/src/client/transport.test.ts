import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FlinkApiError, FlinkTransportError } from '../errors.ts'
import { createFlinkClient } from './flink-client.ts'

/** A loopback server that records what arrives and answers per path. */
let server: Server
let url: string
const seen: { path: string; headers: IncomingHttpHeaders }[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers })
    if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('{}'), 2_000).unref()
    if (req.url?.includes('/echo-auth')) {
      res.writeHead(500, { 'content-type': 'application/json' })
      return void res.end(JSON.stringify({ errors: [`rejected header ${req.headers.authorization}`] }))
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ jobs: [] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('transport', () => {
  it('sends a bearer token, extra headers and the proxy path prefix', async () => {
    const client = createFlinkClient({
      baseUrl: `${url}/flink/`,
      auth: { type: 'bearer', token: 'tkn-abcdef' },
      headers: { 'X-Tenant': 'blue-team' },
    })
    await client.jobs.list()
    await client.close()
    const last = seen.at(-1)!
    expect(last.path).toBe('/flink/v1/jobs')
    expect(last.headers.authorization).toBe('Bearer tkn-abcdef')
    expect(last.headers['x-tenant']).toBe('blue-team')
  })

  it('sends basic auth', async () => {
    const client = createFlinkClient({
      baseUrl: url,
      auth: { type: 'basic', username: 'ops', password: 'pa55word' },
    })
    await client.jobs.list()
    await client.close()
    expect(seen.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from('ops:pa55word').toString('base64')}`)
  })

  it('keeps the token out of an error even when the server echoes it back', async () => {
    const client = createFlinkClient({
      baseUrl: `${url}/echo-auth`,
      auth: { type: 'bearer', token: 'tkn-echoed-42' },
      retry: { retries: 0 },
    })
    const error = (await client.jobs.list().catch((e: unknown) => e)) as FlinkApiError
    await client.close()
    expect(error).toBeInstanceOf(FlinkApiError)
    expect(error.message).toContain('rejected header Bearer ***')
    expect(JSON.stringify({ m: error.message, e: error.errors })).not.toContain('tkn-echoed-42')
  })

  it('ends a call at its deadline with a transport error that says so', async () => {
    const client = createFlinkClient({ baseUrl: `${url}/slow`, retry: { retries: 0 } })
    const started = performance.now()
    const error = (await client.jobs.list({ timeoutMs: 200 }).catch((e: unknown) => e)) as FlinkTransportError
    await client.close()
    expect(error).toBeInstanceOf(FlinkTransportError)
    expect(error.reason).toBe('DEADLINE_EXCEEDED')
    expect(performance.now() - started).toBeLessThan(1_500)
  })

  it('reports a refused connection with its reason', async () => {
    const client = createFlinkClient({
      baseUrl: 'http://127.0.0.1:9',
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 1 },
    })
    const error = (await client.cluster.overview().catch((e: unknown) => e)) as FlinkTransportError
    await client.close()
    expect(error).toMatchObject({ code: 'FLINK_TRANSPORT_ERROR', reason: 'ECONNREFUSED', attempts: 2 })
  })
})
