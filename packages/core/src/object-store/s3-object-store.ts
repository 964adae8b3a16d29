/**
 * The object store on S3 and S3-compatible servers (MinIO, Ceph RGW, R2, GCS in S3 mode), through the AWS
 * SDK so endpoint, region and credentials come the way every AWS tool takes them: the standard credential
 * chain (environment, profiles, SSO, web identity such as GitHub's OIDC role, container and instance
 * metadata) and `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` for other servers, addressed path-style. The SDK
 * is imported only when such a store is opened, so the CLI starts without it.
 *
 * One retry layer (the SDK's own is off): 5xx, throttling, resets, timeouts and 409 ConditionalRequestConflict
 * are retried; 412 never is, since it means another writer won.
 */
import pRetry, { AbortError } from 'p-retry'
import { TRANSIENT_REASONS } from '../client/retry.ts'
import { registerSecret } from '../redact.ts'
import { ObjectConditionFailedError, StateStoreUnavailableError, type StoreProblem } from './errors.ts'
import type { ObjectStore, WriteCondition } from './object-store.ts'
import { loadS3Sdk } from './s3-sdk.ts'
import { formatStoreUrl, type StoreUrl } from './store-url.ts'

export interface S3StoreOptions {
  /** Overrides `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`. */
  endpoint?: string
  /** Overrides `AWS_REGION` / `AWS_DEFAULT_REGION` (default us-east-1 with redirects followed). */
  region?: string
  /** Default: path-style when an endpoint is set (S3-compatible servers), virtual-hosted on AWS. */
  forcePathStyle?: boolean
  /** Explicit credentials (the SDK's chain when absent). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** Retries of a transient failure (default 4: about 3 s of backoff in all). */
  retries?: number
  /** Per request (default 10 s). */
  requestTimeoutMs?: number
}

export async function createS3ObjectStore(url: StoreUrl, options: S3StoreOptions = {}): Promise<ObjectStore> {
  const env = process.env
  for (const secret of [
    options.credentials?.secretAccessKey,
    options.credentials?.sessionToken,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
  ])
    registerSecret(secret)
  const sdk = await loadS3Sdk()
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL
  const client = new sdk.S3Client({
    region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    followRegionRedirects: true,
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 1,
    // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting on a hung request.
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      connectionTimeout: 5_000,
      throwOnRequestTimeout: true,
    },
  })
  const location = formatStoreUrl(url)
  const Bucket = url.bucket
  const full = (key: string) => `${url.prefix}${key}`
  const retries = options.retries ?? 4

  /** Runs one request with retries; `operation` completes "could not ..." in messages. */
  async function send<T>(
    operation: string,
    key: string,
    request: (attempt: number) => Promise<T>,
  ): Promise<T> {
    let attempt = 0
    try {
      return await pRetry(
        async () => {
          attempt++
          try {
            return await request(attempt)
          } catch (error) {
            if (lostCondition(error)) throw new AbortError(new ObjectConditionFailedError(location, key))
            throw isTransient(error) ? error : new AbortError(error as Error)
          }
        },
        { retries, minTimeout: 100, maxTimeout: 1_000, factor: 2, randomize: true },
      )
    } catch (error) {
      if (error instanceof ObjectConditionFailedError) throw error
      throw unavailable(location, operation, error, attempt)
    }
  }

  return {
    location,
    async get(key) {
      return send(`read ${key}`, key, async () => {
        try {
          const out = await client.send(new sdk.GetObjectCommand({ Bucket, Key: full(key) }))
          return { body: (await out.Body?.transformToString('utf8')) ?? '', etag: out.ETag ?? '' }
        } catch (error) {
          if (nameOf(error) === 'NoSuchKey') return undefined
          throw error
        }
      })
    },
    async put(key, body, condition: WriteCondition = {}) {
      return send(`write ${key}`, key, async (attempt) => {
        try {
          const out = await client.send(
            new sdk.PutObjectCommand({
              Bucket,
              Key: full(key),
              Body: body,
              ContentType: 'application/json',
              ...('ifNoneMatch' in condition ? { IfNoneMatch: '*' } : {}),
              ...('ifMatch' in condition ? { IfMatch: condition.ifMatch } : {}),
            }),
          )
          return out.ETag ?? ''
        } catch (error) {
          // S3 answers 404 to If-Match on an object that is gone (moto too): the version we had is lost.
          if ('ifMatch' in condition && statusOf(error) === 404) throw conditionLost(error)
          // A retried conditional write whose first attempt did land finds its own object: that is success.
          if (attempt > 1 && statusOf(error) === 412) {
            const now = await client
              .send(new sdk.GetObjectCommand({ Bucket, Key: full(key) }))
              .catch(() => undefined)
            if (now && (await now.Body?.transformToString('utf8')) === body) return now.ETag ?? ''
          }
          throw error
        }
      })
    },
    async delete(key, condition = {}) {
      await send(`delete ${key}`, key, async (attempt) => {
        try {
          await client.send(
            new sdk.DeleteObjectCommand({
              Bucket,
              Key: full(key),
              ...(condition.ifMatch !== undefined ? { IfMatch: condition.ifMatch } : {}),
            }),
          )
        } catch (error) {
          const status = statusOf(error)
          if (status === 404 || (attempt > 1 && status === 412 && !(await exists(key)))) return
          throw error
        }
      })
    },
    async list(prefix) {
      return send(`list ${prefix}`, prefix, async () => {
        const keys: string[] = []
        let token: string | undefined
        do {
          const out = await client.send(
            new sdk.ListObjectsV2Command({ Bucket, Prefix: full(prefix), ContinuationToken: token }),
          )
          for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(url.prefix.length))
          token = out.IsTruncated ? out.NextContinuationToken : undefined
        } while (token)
        return keys.sort()
      })
    },
    async check() {
      await send('be used', '', () =>
        client.send(new sdk.ListObjectsV2Command({ Bucket, Prefix: url.prefix, MaxKeys: 1 })),
      )
    },
    async close() {
      client.destroy()
    },
  }

  async function exists(key: string): Promise<boolean> {
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket, Key: full(key) }))
      return true
    } catch (error) {
      if (statusOf(error) === 404) return false
      throw error
    }
  }
}

/** Marks an error as a lost condition (412), whatever status the server used for it. */
function conditionLost(error: unknown): Error {
  return Object.assign(error as Error, { conditionLost: true })
}

function lostCondition(error: unknown): boolean {
  return statusOf(error) === 412 || (error as { conditionLost?: boolean })?.conditionLost === true
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
}

function nameOf(error: unknown): string {
  return (error as { name?: string })?.name ?? ''
}

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ThrottlingException',
  'InternalError',
  'ServiceUnavailable',
  'ConditionalRequestConflict',
  'OperationAborted',
])
// Node's connection failures the Flink client retries, and one more that sockets report on S3's side.
const TRANSIENT_CODES = new Set([...TRANSIENT_REASONS, 'ECONNABORTED'])

function isTransient(error: unknown): boolean {
  const status = statusOf(error)
  if (status !== undefined && (status >= 500 || status === 429 || status === 409)) return true
  const code = (error as { code?: string })?.code
  return (
    TRANSIENT_NAMES.has(nameOf(error)) ||
    (code !== undefined && TRANSIENT_CODES.has(code)) ||
    (status === undefined &&
      nameOf(error) === 'Error' &&
      /socket hang up|ECONNRESET/i.test(String((error as Error).message)))
  )
}

const REFUSED_CREDENTIALS = [
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'CredentialsProviderError',
]

function problemOf(error: unknown): StoreProblem {
  const status = statusOf(error)
  if (nameOf(error) === 'NoSuchBucket') return 'no-such-bucket'
  if (status === 403 || REFUSED_CREDENTIALS.includes(nameOf(error))) return 'access-denied'
  if (status === undefined) return 'unreachable'
  return status >= 500 ? 'server-error' : 'bad-request'
}

function unavailable(
  location: string,
  operation: string,
  error: unknown,
  attempts: number,
): StateStoreUnavailableError {
  const status = statusOf(error)
  const name = nameOf(error)
  const message = error instanceof Error ? error.message : String(error)
  const problem = problemOf(error)
  const hint: Record<StoreProblem, string> = {
    'no-such-bucket': 'the bucket does not exist; create it, or fix the bucket in the store URL',
    'access-denied':
      'the credentials were refused; check AWS_PROFILE / AWS_ACCESS_KEY_ID / the role, and that it may read, write and list this prefix',
    'server-error': `the server kept failing (${attempts} attempt(s))`,
    'bad-request': 'the server refused the request',
    unreachable: `the server did not answer (${attempts} attempt(s)); check AWS_ENDPOINT_URL_S3 / the network`,
  }
  const what = `${name && name !== 'Error' ? `${name}: ` : ''}${message}${status ? ` (HTTP ${status})` : ''}`
  return new StateStoreUnavailableError({
    location,
    operation,
    problem,
    detail: `${what}; ${hint[problem]}`,
    cause: error,
  })
}
