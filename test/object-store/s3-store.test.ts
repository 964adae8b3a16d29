/**
 * The shared store against a real S3 server (moto, started by @flink-deploy/local-s3) through the same AWS
 * SDK client users run: the conditional-write contract, the lease lock and stale writers, then what a user
 * gets when the URL, the bucket or the server is wrong, and the retries of transient faults.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createS3ObjectStore,
  InvalidArgumentError,
  ObjectConditionFailedError,
  openObjectStore,
  parseStoreUrl,
  StateStoreUnavailableError,
} from '@flink-deploy/core'
import { type S3Server, startS3Server } from '@flink-deploy/local-s3'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { sharedStoreSuite } from '../../packages/core/src/object-store/shared-store-suite.ts'

const BUCKET = 'deploy-state'
let s3: S3Server

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] })
}, 300_000)
afterAll(() => s3?.stop())

const options = () => ({
  endpoint: s3.endpoint,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
})

sharedStoreSuite('S3 (moto)', () => createS3ObjectStore(parseStoreUrl(`s3://${BUCKET}/suite`), options()))

describe('opening a store: errors before anything changes', () => {
  it('a malformed URL names what was expected', async () => {
    for (const [url, problem] of [
      ['deploy-state/flink', 'is not a URL'],
      ['gs://deploy-state/flink', 'has the scheme gs:, not s3:'],
      ['s3://Deploy_State/flink', 'not a valid bucket name'],
      ['s3://key:secret@deploy-state/x', 'holds credentials'],
    ] as const) {
      const error = await openObjectStore(url, options()).catch((e: unknown) => e)
      expect(error, url).toBeInstanceOf(InvalidArgumentError)
      expect((error as Error).message).toContain(problem)
      expect((error as Error).message).toContain('expected s3://<bucket>/<prefix>')
      expect((error as Error).message).not.toContain('secret@')
    }
  })

  it('a missing bucket is named as such', async () => {
    const error = await openObjectStore('s3://no-such-bucket-here/flink', options()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StateStoreUnavailableError)
    expect(error).toMatchObject({ problem: 'no-such-bucket', code: 'STATE_STORE_UNAVAILABLE' })
    expect((error as Error).message).toContain('s3://no-such-bucket-here/flink/')
    expect((error as Error).message).toContain('the bucket does not exist')
  })

  it('a server that does not answer is unreachable after the retries, and the secret stays out', async () => {
    const closed = await freePort()
    const started = Date.now()
    const error = await openObjectStore(`s3://${BUCKET}/x`, {
      ...options(),
      endpoint: `http://127.0.0.1:${closed}`,
      retries: 2,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ problem: 'unreachable' })
    expect((error as Error).message).toMatch(/did not answer \(3 attempt\(s\)\)/)
    expect((error as Error).message).not.toContain(s3.secretAccessKey)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('takes endpoint, region and credentials from the AWS environment variables', async () => {
    for (const [name, value] of Object.entries(s3.env())) vi.stubEnv(name, value)
    try {
      const store = await createS3ObjectStore(parseStoreUrl(`s3://${BUCKET}/env`))
      await store.put('probe', 'from env')
      expect((await store.get('probe'))?.body).toBe('from env')
      await store.close()
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

describe('transient faults are retried, a lost condition never is', () => {
  let proxy: FaultyProxy
  beforeAll(async () => {
    proxy = await faultyProxy(new URL(s3.endpoint))
  })
  afterAll(() => proxy.close())
  const store = () =>
    createS3ObjectStore(parseStoreUrl(`s3://${BUCKET}/faults`), { ...options(), endpoint: proxy.url })

  it('503, a reset connection and 409 ConditionalRequestConflict are retried until the write lands', async () => {
    const s = await store()
    proxy.script(['503', 'reset', '409'])
    const etag = await s.put('retried', 'v1', { ifNoneMatch: '*' })
    expect(proxy.forwarded).toBe(1)
    expect(await s.get('retried')).toEqual({ body: 'v1', etag })
  })

  it('a request that hangs past its timeout is retried', async () => {
    const s = await createS3ObjectStore(parseStoreUrl(`s3://${BUCKET}/faults`), {
      ...options(),
      endpoint: proxy.url,
      requestTimeoutMs: 500,
    })
    proxy.script(['hang'])
    await s.put('after-hang', 'v1')
    expect(proxy.forwarded).toBe(1)
    expect((await s.get('after-hang'))?.body).toBe('v1')
  })

  it('refused credentials (403) are not retried and say what to check', async () => {
    const s = await store()
    proxy.script(['deny', 'deny', 'deny'])
    const error = await s.get('anything').catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATE_STORE_UNAVAILABLE', problem: 'access-denied' })
    expect((error as Error).message).toContain('the credentials were refused')
    expect(proxy.pending()).toBe(2)
  })

  it('a conditional write whose answer was lost, retried, is recognised as our own', async () => {
    const s = await store()
    // The server applies the write but the answer is lost; the retry then finds the object present.
    proxy.script(['forward-then-reset'])
    await s.put('landed', 'mine', { ifNoneMatch: '*' })
    expect((await s.get('landed'))?.body).toBe('mine')
  })

  it('412 is not retried: the caller learns at once that someone else won', async () => {
    const s = await store()
    await s.put('taken', 'first', { ifNoneMatch: '*' })
    proxy.forwarded = 0
    await expect(s.put('taken', 'second', { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      ObjectConditionFailedError,
    )
    expect(proxy.forwarded).toBe(1)
  })
})

type Fault = '503' | 'reset' | '409' | 'forward-then-reset' | 'hang' | 'deny'
interface FaultyProxy {
  url: string
  forwarded: number
  script(faults: Fault[]): void
  /** Scripted faults not used yet. */
  pending(): number
  close(): Promise<void>
}

/** A loopback HTTP proxy in front of the S3 server that answers the next requests with scripted faults. */
async function faultyProxy(target: URL): Promise<FaultyProxy> {
  let faults: Fault[] = []
  const state = { forwarded: 0 }
  const server: Server = createServer((req, res) => {
    const fault = faults.shift()
    if (fault === 'hang') {
      req.resume()
      return
    }
    if (fault === '503' || fault === '409' || fault === 'deny') {
      req.resume()
      const [status, code] =
        fault === '503'
          ? [503, 'ServiceUnavailable']
          : fault === '409'
            ? [409, 'ConditionalRequestConflict']
            : [403, 'AccessDenied']
      res.writeHead(status, { 'content-type': 'application/xml' })
      res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>injected</Message></Error>`)
      return
    }
    if (fault === 'reset') {
      req.socket.destroy()
      return
    }
    state.forwarded++
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (fault === 'forward-then-reset') {
          answer.resume()
          answer.on('end', () => req.socket.destroy())
          return
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    get forwarded() {
      return state.forwarded
    },
    set forwarded(n: number) {
      state.forwarded = n
    },
    script: (next) => {
      faults = [...next]
      state.forwarded = 0
    },
    pending: () => faults.length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}
