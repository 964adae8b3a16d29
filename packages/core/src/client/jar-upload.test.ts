import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FlinkApiError, InvalidArgumentError } from '../errors.ts'
import { createFlinkClient } from './flink-client.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-jar-'))
const jar = join(dir, 'orders-job.jar')
writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(2048, 7)]))

/** A loopback JobManager stand-in that parses the multipart body the way a server would. */
let server: Server
let url: string
let maxContentLength = '104857600'
let answerStatus = 200
let uploads: { field: string; name: string; type: string; size: number }[] = []
/** SHA-256 of each uploaded file's bytes as the server received them. */
let received: string[] = []
/** Makes the server read slowly, so the client's sending is held back by backpressure. */
let slowReader = false

async function* throttled(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let bytes = 0
  for await (const chunk of body) {
    bytes += chunk.length
    if (bytes > 1 << 20) {
      bytes = 0
      await sleep(5)
    }
    yield chunk
  }
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.url === '/v1/jobmanager/config') {
      return void res.end(
        JSON.stringify([{ key: 'rest.server.max-content-length', value: maxContentLength }]),
      )
    }
    const request = new Request(`http://x${req.url}`, {
      method: 'POST',
      headers: req.headers as HeadersInit,
      body: Readable.toWeb(slowReader ? Readable.from(throttled(req)) : req) as ReadableStream,
      duplex: 'half',
    } as RequestInit)
    const form = await request.formData()
    for (const [field, value] of form) {
      if (!(value instanceof File)) continue
      uploads.push({ field, name: value.name, type: value.type, size: value.size })
      received.push(
        createHash('sha256')
          .update(Buffer.from(await value.arrayBuffer()))
          .digest('hex'),
      )
    }
    res.statusCode = answerStatus
    res.end(
      answerStatus === 200
        ? JSON.stringify({
            filename: '/tmp/flink-web/flink-web-upload/5f1e_orders-job.jar',
            status: 'success',
          })
        : JSON.stringify({ errors: ['Request entity too large'] }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  uploads = []
  received = []
  slowReader = false
  maxContentLength = '104857600'
  answerStatus = 200
})

async function upload(path: string): Promise<unknown> {
  const client = createFlinkClient({ baseUrl: url, retry: { retries: 0 } })
  try {
    return await client.jars.upload(path)
  } catch (error) {
    return error
  } finally {
    await client.close()
  }
}

describe('jar upload', () => {
  it('a jar many times the read-ahead arrives byte for byte, also when the server reads slowly', async () => {
    // Every 4-byte word differs, so a chunk overwritten before it was sent would change the hash.
    const content = Buffer.alloc(24 * 1024 * 1024 + 123)
    for (let i = 0; i + 4 <= content.length; i += 4) content.writeUInt32LE((i * 2654435761) >>> 0, i)
    content.write('PK\x03\x04', 0, 'latin1')
    const big = join(dir, 'big-job.jar')
    writeFileSync(big, content)
    const expected = createHash('sha256').update(content).digest('hex')
    for (const slow of [false, true]) {
      slowReader = slow
      received = []
      expect(await upload(big)).toMatchObject({ sizeBytes: content.length })
      expect(received).toEqual([expected])
    }
  })

  it('streams the file as one multipart part named after the jar, typed as a Java archive', async () => {
    expect(await upload(jar)).toEqual({
      jarId: '5f1e_orders-job.jar',
      filename: '/tmp/flink-web/flink-web-upload/5f1e_orders-job.jar',
      sizeBytes: 2052,
    })
    expect(uploads).toEqual([
      { field: 'jarfile', name: 'orders-job.jar', type: 'application/x-java-archive', size: 2052 },
    ])
  })

  it.each([
    ['', 'Invalid jar path: empty; expected the path of a .jar file'],
    [join(dir, 'missing.jar'), `Invalid jar path: no file at "${join(dir, 'missing.jar')}"`],
    [
      join(dir, 'notes.txt'),
      `Invalid jar path: "${join(dir, 'notes.txt')}" does not end in .jar, which Flink requires`,
    ],
    [dir.concat('/'), `Invalid jar path: "${dir}/" does not end in .jar, which Flink requires`],
  ])('refuses %j before sending anything', async (path, message) => {
    const error = await upload(path)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toBe(message)
    expect(uploads).toEqual([])
  })

  it('refuses a file that is not a zip archive', async () => {
    const fake = join(dir, 'fake.jar')
    writeFileSync(fake, 'not a jar')
    expect((await upload(fake)) as Error).toMatchObject({
      message: `Invalid jar path: "${fake}" is not a jar (zip) archive`,
    })
  })

  it("refuses a jar over the cluster's upload limit before uploading it", async () => {
    maxContentLength = '1024'
    const error = (await upload(jar)) as Error
    expect(error.message).toBe(
      `Invalid jar path: "${jar}" is 2.0 KiB, over the cluster's upload limit of 1.0 KiB (rest.server.max-content-length); raise that setting or shrink the jar`,
    )
    expect(uploads).toEqual([])
  })

  it('turns a 413 from a proxy in front of Flink into the same clear error', async () => {
    answerStatus = 413
    const error = await upload(jar)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error).not.toBeInstanceOf(FlinkApiError)
    expect((error as Error).message).toBe(
      `Invalid jar path: "${jar}" (2.0 KiB) was refused as too large (HTTP 413) by the cluster or a proxy in front of it; raise rest.server.max-content-length or the proxy's request body limit`,
    )
  })
})
