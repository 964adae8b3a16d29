/**
 * A real S3 endpoint on loopback for tests and demos: moto's server (PyPI), installed by installMoto,
 * started on a free port and stopped by pid. Sign requests (SigV4, any key pair works): moto answers an
 * unsigned conditional PUT whose condition fails with 403 instead of 412.
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { spawnWatched, stopProcess, tailFile, type WatchedProcess } from '@flink-deploy/local-process'
import { assertBucketName } from './bucket-name.ts'
import { installMoto } from './moto-install.ts'

const HOST = '127.0.0.1'
export const S3_REGION = 'us-east-1'
const DEFAULT_ACCESS_KEY_ID = 'local-s3-access-key'
const DEFAULT_SECRET_ACCESS_KEY = 'local-s3-secret-key'

export interface StartS3ServerOptions {
  /** loopback port; default: a free one picked by the kernel (retried if taken before moto binds it) */
  port?: number
  /** any values work with moto; defaults are fixed dummy keys */
  accessKeyId?: string
  secretAccessKey?: string
  /** buckets to create once the server answers */
  buckets?: string[]
  /** how long to wait for the server to answer, after the install (default 30 000 ms) */
  startTimeoutMs?: number
  /** the server outlives this Node process (CLI `up`): no exit handlers, no watchdog */
  detached?: boolean
  /** progress messages (default: none) */
  log?: (message: string) => void
}

/** What an S3 client needs: `new S3Client(server.clientConfig())`. */
export interface S3ClientSettings {
  endpoint: string
  region: string
  forcePathStyle: true
  credentials: { accessKeyId: string; secretAccessKey: string }
}

export interface S3Server {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** pid of the moto server (python) */
  pid: number
  /** moto's request log (removed on stop unless the server died unexpectedly) */
  logFile: string
  /** Creates the bucket with a signed request; a bucket that already exists is fine. */
  createBucket(name: string): Promise<void>
  /** Every key in the bucket under `prefix` (all pages), sorted: shows what a test's writer left. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>
  /** settings for @aws-sdk/client-s3 (path-style addressing: the bucket is not a DNS name on loopback) */
  clientConfig(): S3ClientSettings
  /** AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION for child processes / SDKs */
  env(): Record<string, string>
  /** SIGTERM (SIGKILL after 5 s), then removes the log folder. Safe to call twice. */
  stop(): Promise<void>
}

class BindError extends Error {}

/** Starts moto's S3 server on 127.0.0.1 (installing it on first use, ~1 min) and waits until it answers. */
export async function startS3Server(options: StartS3ServerOptions = {}): Promise<S3Server> {
  for (const bucket of options.buckets ?? []) assertBucketName(bucket)
  if (
    options.port !== undefined &&
    !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)
  )
    throw new TypeError(`Invalid port ${options.port}: expected an integer from 1 to 65535`)
  const log = options.log ?? (() => {})
  const { python } = await installMoto({ log })
  const workDir = await mkdtemp(join(tmpdir(), 'local-s3-'))
  let lastError: unknown
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const server = await startOn(options.port ?? (await freePort()), python, workDir, options, log)
      try {
        for (const bucket of options.buckets ?? []) await server.createBucket(bucket)
      } catch (e) {
        await server.stop()
        throw e
      }
      return server
    } catch (e) {
      lastError = e
      if (!(e instanceof BindError) || options.port !== undefined) break
      log(`port taken before moto bound it; retrying with another (attempt ${attempt + 1} of 3)`)
    }
  }
  // the error carries the log's tail
  await rm(workDir, { recursive: true, force: true })
  throw lastError
}

async function startOn(
  port: number,
  python: string,
  workDir: string,
  options: StartS3ServerOptions,
  log: (message: string) => void,
): Promise<S3Server> {
  const t0 = Date.now()
  const endpoint = `http://${HOST}:${port}`
  const logFile = join(workDir, `moto-${port}.log`)
  const proc = spawnWatched({
    name: 'moto server',
    command: python,
    args: ['-m', 'moto.server', '-H', HOST, '-p', String(port)],
    outFile: logFile,
    // unbuffered: the log shows the bind error or traceback even if the process is killed right after
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    detached: options.detached,
  })
  try {
    await waitUntilAnswering(endpoint, proc, logFile, options.startTimeoutMs ?? 30_000)
  } catch (e) {
    await stopProcess(proc, { graceMs: 1000 })
    throw e
  }
  log(`moto S3 server ready at ${endpoint} after ${Date.now() - t0} ms (pid ${proc.pid})`)

  const accessKeyId = options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID
  const secretAccessKey = options.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY
  const clientConfig = (): S3ClientSettings => ({
    endpoint,
    region: S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  })
  let sdk: S3Client | undefined
  const client = () => {
    sdk ??= new S3Client(clientConfig())
    return sdk
  }
  let stopped = false
  return {
    endpoint,
    region: S3_REGION,
    accessKeyId,
    secretAccessKey,
    pid: proc.pid,
    logFile,
    clientConfig,
    env: () => ({
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: S3_REGION,
    }),
    async createBucket(name) {
      assertBucketName(name)
      try {
        await client().send(new CreateBucketCommand({ Bucket: name }))
      } catch (e) {
        if ((e as Error).name !== 'BucketAlreadyOwnedByYou') throw e
      }
    },
    async listKeys(bucket, prefix) {
      const keys: string[] = []
      let token: string | undefined
      do {
        const page = await client().send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        )
        keys.push(...(page.Contents ?? []).flatMap((c) => (c.Key ? [c.Key] : [])))
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
      return keys.sort()
    },
    async stop() {
      if (stopped) return
      stopped = true
      sdk?.destroy()
      const diedEarlier = proc.hasExited()
      await stopProcess(proc, { graceMs: 5_000 })
      if (diedEarlier)
        console.error(`[local-s3] the moto server at ${endpoint} had died; its log is kept: ${logFile}`)
      else await rm(workDir, { recursive: true, force: true })
    },
  }
}

/** Polls until moto says it listens and its own status page answers, with backoff; fails fast (with the log) when the process exits. */
async function waitUntilAnswering(
  endpoint: string,
  proc: WatchedProcess,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let delay = 50
  let lastProblem = ''
  for (;;) {
    if (proc.hasExited()) {
      const tail = await logTail(logFile)
      const message = `The moto server (pid ${proc.pid}) exited before answering at ${endpoint}:\n${tail}`
      throw /Address already in use/.test(tail) ? new BindError(message) : new Error(message)
    }
    try {
      // werkzeug prints this once *our* process holds the port: another server that happens to answer on it
      // (a port taken meanwhile) must not pass for ours
      if (!(await readFile(logFile, 'utf8')).includes(`Running on ${endpoint}`)) lastProblem = 'not bound yet'
      else {
        const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) })
        await res.body?.cancel()
        if (res.ok) return
        lastProblem = `HTTP ${res.status}`
      }
    } catch (e) {
      lastProblem = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)
    }
    if (Date.now() > deadline) {
      throw new Error(
        `The moto server at ${endpoint} did not answer within ${timeoutMs} ms (last: ${lastProblem}):\n` +
          (await logTail(logFile)),
      )
    }
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(500, Math.round(delay * 1.5))
  }
}

async function logTail(path: string): Promise<string> {
  return tailFile(path, 30).catch(() => `(no log at ${path})`)
}

/** A port that was free on loopback a moment ago (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen({ port: 0, host: HOST, exclusive: true }, () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error(`No free port on ${HOST}`))))
    })
  })
}
