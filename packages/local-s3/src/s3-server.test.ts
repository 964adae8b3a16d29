/**
 * The object-storage lock and run state rely on S3's conditional writes. These tests pin down, through the
 * AWS SDK with signed requests, that the moto server started here answers them the way S3 does, and that
 * the server process is gone once its owner stops it or dies.
 */

import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { isAlive } from '@flink-deploy/local-process'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type S3Server, startS3Server } from './s3-server.ts'

const Bucket = 'deploy-state'

/** The SDK's view of a refused request: the error class name and the HTTP status. */
async function failure(request: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  const error = await request.then(
    () => {
      throw new Error('expected the request to be refused')
    },
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
  )
  return { name: error.name, status: error.$metadata?.httpStatusCode }
}

describe('local S3 server (moto)', () => {
  let server: S3Server
  let s3: S3Client
  const put = (Key: string, Body: string, conditions: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
    s3.send(new PutObjectCommand({ Bucket, Key, Body, ...conditions }))
  const read = async (Key: string) => {
    const res = await s3.send(new GetObjectCommand({ Bucket, Key }))
    return { body: await res.Body!.transformToString(), etag: res.ETag! }
  }

  beforeAll(async () => {
    // cold: installs moto from PyPI (~40 s); warm: ~1 s
    server = await startS3Server({ buckets: [Bucket] })
    s3 = new S3Client(server.clientConfig())
  }, 300_000)

  afterAll(async () => {
    s3?.destroy()
    await server?.stop()
  })

  it('creates an object only if absent: the second If-None-Match: * is refused with 412', async () => {
    const first = await put('jobs/orders/lock', 'holder-a', { IfNoneMatch: '*' })
    expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/)
    expect(await failure(put('jobs/orders/lock', 'holder-b', { IfNoneMatch: '*' }))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    })
    expect(await read('jobs/orders/lock')).toEqual({ body: 'holder-a', etag: first.ETag })
  })

  it('replaces an object only with If-Match of its current ETag (compare-and-swap)', async () => {
    const v1 = await put('jobs/orders/state.json', '{"v":1}')
    const v2 = await put('jobs/orders/state.json', '{"v":2}', { IfMatch: v1.ETag })
    expect(v2.ETag).not.toBe(v1.ETag)
    expect(await failure(put('jobs/orders/state.json', '{"v":3}', { IfMatch: v1.ETag }))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    })
    expect(await read('jobs/orders/state.json')).toEqual({ body: '{"v":2}', etag: v2.ETag })
  })

  it('answers If-Match on a missing key with 404 NoSuchKey, not 412', async () => {
    expect(
      await failure(put('jobs/orders/absent', 'x', { IfMatch: '"0123456789abcdef0123456789abcdef"' })),
    ).toEqual({ name: 'NoSuchKey', status: 404 })
  })

  it('deletes with If-Match only the version it names', async () => {
    const { ETag } = await put('jobs/orders/lease', 'holder-a')
    const del = (IfMatch: string) =>
      s3.send(new DeleteObjectCommand({ Bucket, Key: 'jobs/orders/lease', IfMatch }))
    expect(await failure(del('"0123456789abcdef0123456789abcdef"'))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    })
    expect((await read('jobs/orders/lease')).body).toBe('holder-a')
    expect((await del(ETag!)).$metadata.httpStatusCode).toBe(204)
    expect(await failure(read('jobs/orders/lease'))).toEqual({ name: 'NoSuchKey', status: 404 })
    expect(await failure(del(ETag!))).toEqual({ name: 'NoSuchKey', status: 404 })
  })

  it('lets exactly one of several concurrent If-None-Match: * writers win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => put('jobs/race/lock', `writer-${i}`, { IfNoneMatch: '*' })),
    )
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
    expect(winners).toHaveLength(1)
    const losers = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []))
    expect(new Set(losers.map((e) => e.name))).toEqual(new Set(['PreconditionFailed']))
    expect((await read('jobs/race/lock')).body).toBe(`writer-${winners[0]}`)
  })

  it('lists keys under a prefix, by "folder" with a delimiter, and page by page', async () => {
    for (const key of ['list/a/state.json', 'list/a/release.json', 'list/b/state.json', 'listx/c', 'other/d'])
      await put(key, key)
    const list = (extra: { Delimiter?: string; MaxKeys?: number; ContinuationToken?: string } = {}) =>
      s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'list/', ...extra }))
    expect((await list()).Contents?.map((c) => c.Key)).toEqual([
      'list/a/release.json',
      'list/a/state.json',
      'list/b/state.json',
    ])
    expect((await list({ Delimiter: '/' })).CommonPrefixes?.map((p) => p.Prefix)).toEqual([
      'list/a/',
      'list/b/',
    ])
    const page1 = await list({ MaxKeys: 2 })
    expect(page1).toMatchObject({ IsTruncated: true, KeyCount: 2 })
    const page2 = await list({ MaxKeys: 2, ContinuationToken: page1.NextContinuationToken! })
    expect(page2.Contents?.map((c) => c.Key)).toEqual(['list/b/state.json'])
    expect(page2.IsTruncated).toBe(false)
    expect(await server.listKeys(Bucket, 'list/')).toEqual([
      'list/a/release.json',
      'list/a/state.json',
      'list/b/state.json',
    ])
  })

  it('serves SDK clients configured only by env() (endpoint override, path-style chosen by the SDK)', async () => {
    const saved = { ...process.env }
    Object.assign(process.env, server.env())
    try {
      const fromEnv = new S3Client({})
      await fromEnv.send(new PutObjectCommand({ Bucket, Key: 'env/probe', Body: 'ok' }))
      fromEnv.destroy()
    } finally {
      for (const key of Object.keys(server.env())) {
        if (saved[key] === undefined) delete process.env[key]
        else process.env[key] = saved[key]
      }
    }
    expect((await read('env/probe')).body).toBe('ok')
  })

  it('refuses an invalid bucket name before sending anything', async () => {
    await expect(server.createBucket('ab')).rejects.toThrow(/Invalid S3 bucket name "ab": it must be 3 to 63/)
    await expect(server.createBucket('Deploy_State')).rejects.toThrow(/lowercase letters, digits/)
  })

  it("fails fast with moto's own words when the requested port is taken", async () => {
    const port = Number(new URL(server.endpoint).port)
    const started = Date.now()
    await expect(startS3Server({ port })).rejects.toThrow(
      /exited before answering[\s\S]*Address already in use/,
    )
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('stops the server process when its owner dies by SIGKILL (watchdog)', async () => {
    const owner = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { startS3Server } from ${JSON.stringify(new URL('./s3-server.ts', import.meta.url).href)}
         const s = await startS3Server(); console.log(JSON.stringify({ pid: s.pid, logFile: s.logFile }))
         setInterval(() => {}, 1000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const { pid, logFile } = await new Promise<{ pid: number; logFile: string }>((resolve, reject) => {
      owner.stdout.setEncoding('utf8').once('data', (d: string) => resolve(JSON.parse(d)))
      owner.once('exit', (code) => reject(new Error(`owner exited early (${code})`)))
    })
    expect(isAlive(pid)).toBe(true)
    owner.kill('SIGKILL')
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 10_000, interval: 200 })
    // the killed owner could not remove its log folder
    await rm(dirname(logFile), { recursive: true, force: true })
  }, 60_000)

  it('stop() ends the server: its pid is gone and the port refuses connections', async () => {
    await server.stop()
    expect(isAlive(server.pid)).toBe(false)
    await expect(fetch(`${server.endpoint}/moto-api/`)).rejects.toThrow()
  })
})
