/**
 * POST /jars/upload: streams a jar from disk as multipart/form-data. Checked before sending: the file
 * exists, is a zip archive, and fits the cluster's rest.server.max-content-length. Never retried: a
 * repeated upload would leave a second copy on the cluster.
 */
import { randomUUID } from 'node:crypto'
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type * as z from 'zod'
import { FlinkApiError, InvalidArgumentError } from '../errors.ts'
import { type CallContext, callRoute, parseResponse, throwIfError } from './call.ts'
import type { CallOptions } from './route.ts'
import { jobManagerRoutes } from './routes/jobmanager.ts'
import { JarUploadResponse } from './schemas/jars.ts'

export interface UploadedJar {
  /** The id to use with /jars/:jarid routes: the basename of the stored file, `<uuid>_<name>.jar`. */
  jarId: string
  /** Where the JobManager stored it. */
  filename: string
  sizeBytes: number
}

/** Flink's default for rest.server.max-content-length. */
const DEFAULT_MAX_CONTENT_LENGTH = 104_857_600
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04])

export type UploadOptions = CallOptions & {
  /** Name the cluster stores and lists the jar under (default: the file's own name); must end in .jar. */
  fileName?: string
}

export async function uploadJar(
  ctx: CallContext,
  jarPath: string,
  options: UploadOptions = {},
): Promise<UploadedJar> {
  const sizeBytes = await checkJarFile(jarPath)
  const fileName = options.fileName ?? basename(jarPath)
  if (!/^[^/\\]+\.jar$/.test(fileName)) {
    throw new InvalidArgumentError('fileName', `"${fileName}" is not a file name ending in .jar`)
  }
  const limit = await maxContentLength(ctx, options)
  if (sizeBytes > limit) throw tooLarge(jarPath, sizeBytes, limit)

  const form = multipartJar(jarPath, fileName, sizeBytes)
  const path = '/v1/jars/upload'
  const { signal, timeoutMs } = options
  const response = await ctx.transport.send({
    method: 'POST',
    path,
    body: form.body,
    contentType: form.contentType,
    signal,
    timeoutMs,
  })
  try {
    throwIfError(response, 'POST', ctx.transport.describe(path))
  } catch (error) {
    if (error instanceof FlinkApiError && error.status === 413) {
      throw new InvalidArgumentError(
        'jar path',
        `"${jarPath}" (${formatBytes(sizeBytes)}) was refused as too large (HTTP 413) by the cluster or a proxy in ` +
          "front of it; raise rest.server.max-content-length or the proxy's request body limit",
      )
    }
    throw error
  }
  const { filename } = parseResponse('POST /jars/upload', JarUploadResponse, response) as z.infer<
    typeof JarUploadResponse
  >
  return { jarId: basename(filename), filename, sizeBytes }
}

/**
 * The multipart body, read from disk as it is sent: memory stays flat whatever the jar's size. The file name
 * was checked to be a plain `*.jar` name, so it needs no escaping in the header.
 */
function multipartJar(jarPath: string, fileName: string, sizeBytes: number) {
  const boundary = `----flink-deploy-${randomUUID()}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="jarfile"; filename="${fileName}"\r\n` +
      'Content-Type: application/x-java-archive\r\n\r\n',
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield head
    const file = await open(jarPath, 'r')
    try {
      // A fresh buffer per chunk would leave the whole jar as garbage (V8 collects it only some 64 MB
      // later); the chunks are slots of one ring instead. A slot is read into again RING_SLOTS chunks later:
      // the socket and the stream in between stop asking for more long before that much is unsent
      // (backpressure at 16 KiB), so a slot is always written out before it is reused.
      const ring = Buffer.allocUnsafe(RING_SLOTS * UPLOAD_CHUNK)
      let sent = 0
      for (let slot = 0; ; slot = (slot + 1) % RING_SLOTS) {
        const buffer = ring.subarray(slot * UPLOAD_CHUNK, (slot + 1) * UPLOAD_CHUNK)
        const { bytesRead } = await file.read(buffer, 0, UPLOAD_CHUNK, null)
        if (bytesRead === 0) break
        sent += bytesRead
        yield buffer.subarray(0, bytesRead)
      }
      // A file that changed size after the length was announced would corrupt the request.
      if (sent !== sizeBytes)
        throw new InvalidArgumentError('jar path', `"${jarPath}" changed while it was being uploaded`)
    } finally {
      await file.close()
    }
    yield tail
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: { stream: stream(), length: head.length + sizeBytes + tail.length },
  }
}

// A chunk is over the 16 KiB high-water marks, so one alone stops the flow: a few slots are in flight
// whatever their size. A large upload touches the whole ring: 64 KiB chunks keep it at 2 MiB of the peak RSS.
const UPLOAD_CHUNK = 64 * 1024
const RING_SLOTS = 32

async function checkJarFile(jarPath: string): Promise<number> {
  if (typeof jarPath !== 'string' || jarPath.trim() === '') {
    throw new InvalidArgumentError('jar path', 'empty; expected the path of a .jar file')
  }
  if (!jarPath.endsWith('.jar')) {
    throw new InvalidArgumentError('jar path', `"${jarPath}" does not end in .jar, which Flink requires`)
  }
  const info = await stat(jarPath).catch(() => undefined)
  if (!info) throw new InvalidArgumentError('jar path', `no file at "${jarPath}"`)
  if (!info.isFile()) throw new InvalidArgumentError('jar path', `"${jarPath}" is not a regular file`)
  const handle = await open(jarPath, 'r')
  try {
    const head = Buffer.alloc(4)
    await handle.read(head, 0, 4, 0)
    if (!head.equals(ZIP_MAGIC))
      throw new InvalidArgumentError('jar path', `"${jarPath}" is not a jar (zip) archive`)
  } finally {
    await handle.close()
  }
  return info.size
}

async function maxContentLength(ctx: CallContext, options: CallOptions): Promise<number> {
  const entries = (await callRoute(
    ctx,
    'GET /jobmanager/config',
    jobManagerRoutes['GET /jobmanager/config'],
    options,
  )) as { key: string; value: string }[]
  const configured = entries.find((e) => e.key === 'rest.server.max-content-length')?.value
  const parsed = configured === undefined ? Number.NaN : Number(configured)
  return Number.isFinite(parsed) && parsed > 0 ? parsed : DEFAULT_MAX_CONTENT_LENGTH
}

function tooLarge(jarPath: string, size: number, limit: number): InvalidArgumentError {
  return new InvalidArgumentError(
    'jar path',
    `"${jarPath}" is ${formatBytes(size)}, over the cluster's upload limit of ${formatBytes(limit)} ` +
      '(rest.server.max-content-length); raise that setting or shrink the jar',
  )
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  if (n < 1_048_576) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1_048_576).toFixed(1)} MiB`
}
