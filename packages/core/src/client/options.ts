/**
 * Client options, validated once when a client is created so that a typo in a URL or a missing password
 * fails before any request, with a message that names the setting.
 */
import type { Dispatcher } from 'undici'
import * as z from 'zod'
import { InvalidArgumentError } from '../errors.ts'
import { registerSecret } from '../redact.ts'

const pem = z.union([z.string().min(1), z.instanceof(Buffer)])

const AuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: z.string().min(1, 'token is empty') }),
  z.strictObject({
    type: z.literal('basic'),
    username: z
      .string()
      .min(1, 'username is empty')
      .refine((u) => !u.includes(':'), 'username must not contain ":"'),
    password: z.string(),
  }),
])

const TlsSchema = z.strictObject({
  /** PEM CA bundle that signed the server certificate (replaces the system roots). */
  ca: pem.optional(),
  /** Client certificate and key for mutual TLS: give both or neither. */
  cert: pem.optional(),
  key: pem.optional(),
  passphrase: z.string().optional(),
  /** Expected server name when it differs from the URL host (e.g. connecting by IP). */
  servername: z.string().min(1).optional(),
  /** Accept any server certificate. Only for throwaway test clusters: the client warns when it is set. */
  insecure: z.boolean().optional(),
})

const positiveMs = z.number().int().positive()

const TimeoutsSchema = z.strictObject({
  connectMs: positiveMs.default(5_000),
  headersMs: positiveMs.default(30_000),
  bodyMs: positiveMs.default(60_000),
  /** Deadline of one attempt of a call. */
  requestMs: positiveMs.default(120_000),
  /**
   * How long a call that is safe to repeat waits out an unreachable JobManager (connection refused or reset,
   * 502/503/504: a JobManager failing over) before it fails: the retries go on, every maxDelayMs, until then.
   */
  unreachableMs: z.number().int().min(0).default(120_000),
})

const RetrySchema = z.strictObject({
  retries: z.number().int().min(0).max(20).default(4),
  minDelayMs: z.number().int().min(0).default(100),
  maxDelayMs: z.number().int().min(0).default(2_000),
})

const BaseUrlSchema = z.string().transform((raw, ctx) => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${raw}" is not a URL; expected e.g. http://localhost:8081` })
    return z.NEVER
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({
      code: 'custom',
      message: `protocol ${url.protocol} is not supported; expected http: or https:`,
    })
    return z.NEVER
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'credentials in the URL are not accepted; use the auth option' })
    return z.NEVER
  }
  if (url.search || url.hash) {
    ctx.addIssue({ code: 'custom', message: 'a query string or fragment is not accepted in the base URL' })
    return z.NEVER
  }
  return url
})

export const ClientOptionsSchema = z.strictObject({
  /** JobManager REST endpoint, optionally with a path prefix when Flink sits behind a proxy: https://gw/flink/ */
  baseUrl: BaseUrlSchema,
  auth: AuthSchema.optional(),
  /** Extra headers sent with every request; their values are treated as secrets. */
  headers: z.record(z.string().min(1), z.string()).optional(),
  tls: TlsSchema.optional(),
  timeouts: TimeoutsSchema.default({
    connectMs: 5_000,
    headersMs: 30_000,
    bodyMs: 60_000,
    requestMs: 120_000,
    unreachableMs: 120_000,
  }),
  retry: RetrySchema.default({ retries: 4, minDelayMs: 100, maxDelayMs: 2_000 }),
  /** An undici dispatcher to use instead of the client's own pool (tests, proxies, custom agents). */
  dispatcher: z.custom<Dispatcher>((d) => typeof d === 'object' && d !== null && 'dispatch' in d).optional(),
  /** Where warnings go (e.g. TLS verification disabled). Defaults to process.emitWarning. */
  onWarning: z.custom<(message: string) => void>((f) => typeof f === 'function').optional(),
})

export type ClientOptions = z.input<typeof ClientOptionsSchema>
export type ResolvedClientOptions = z.output<typeof ClientOptionsSchema>

export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  // Secrets are registered before validation so that no error message below can echo them.
  if (options?.auth?.type === 'bearer') registerSecret(options.auth.token)
  if (options?.auth?.type === 'basic') registerSecret(options.auth.password)
  for (const value of Object.values(options?.headers ?? {})) registerSecret(value)
  registerSecret(options?.tls?.passphrase)

  const parsed = ClientOptionsSchema.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const where = issue.path.length > 0 ? issue.path.join('.') : 'client options'
    throw new InvalidArgumentError(where, issue.message)
  }
  const tls = parsed.data.tls
  if (tls && (tls.cert === undefined) !== (tls.key === undefined)) {
    throw new InvalidArgumentError('tls', 'cert and key must be given together for mutual TLS')
  }
  if (tls && parsed.data.baseUrl.protocol !== 'https:') {
    throw new InvalidArgumentError(
      'tls',
      `TLS options were given but the base URL ${parsed.data.baseUrl} is not https`,
    )
  }
  return parsed.data
}
