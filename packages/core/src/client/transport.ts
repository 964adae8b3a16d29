/**
 * One HTTP exchange with the JobManager: a keep-alive undici pool per base URL, HTTP/1.1 only, auth and
 * extra headers, TLS options, per-phase timeouts and an overall deadline. It knows nothing of routes or
 * retries; a failure that never got an HTTP answer becomes a FlinkTransportError.
 */
import { Readable } from 'node:stream'
import { type Dispatcher, Pool } from 'undici'
import { FlinkTransportError } from '../errors.ts'
import type { ResolvedClientOptions } from './options.ts'
import { tlsFailure } from './tls-failure.ts'

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path below the base URL including the query string, e.g. /v1/jobs/abc?mode=cancel */
  path: string
  /** A stream is sent as it is produced (a jar upload), with its length known beforehand. */
  body?: string | { stream: AsyncIterable<Uint8Array>; length: number }
  contentType?: string
  signal?: AbortSignal
  /** Overrides the client's overall deadline for this exchange. */
  timeoutMs?: number
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export class Transport {
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #origin: string
  readonly #prefix: string
  readonly #headers: Record<string, string>
  readonly #options: ResolvedClientOptions

  constructor(options: ResolvedClientOptions) {
    this.#options = options
    this.#origin = options.baseUrl.origin
    this.#prefix = options.baseUrl.pathname.replace(/\/+$/, '')
    this.#headers = {
      accept: 'application/json',
      ...lowerCaseKeys(options.headers ?? {}),
      ...authHeader(options),
    }
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher = options.dispatcher ?? this.#createPool()
  }

  /** The path as the server sees it, for messages: prefix included, origin and query left out. */
  describe(path: string): string {
    return `${this.#prefix}${path.split('?', 1)[0]}`
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const deadline = AbortSignal.timeout(request.timeoutMs ?? this.#options.timeouts.requestMs)
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline
    const body = request.body
    const headers = {
      ...this.#headers,
      ...(request.contentType ? { 'content-type': request.contentType } : {}),
      ...(typeof body === 'object' ? { 'content-length': String(body.length) } : {}),
    }
    try {
      const response = await this.#dispatcher.request({
        origin: this.#origin,
        path: `${this.#prefix}${request.path}`,
        method: request.method,
        headers,
        body: typeof body === 'object' ? Readable.from(body.stream, { objectMode: false }) : (body ?? null),
        signal,
        headersTimeout: this.#options.timeouts.headersMs,
        bodyTimeout: this.#options.timeouts.bodyMs,
      })
      const text = await response.body.text()
      return { status: response.statusCode, headers: response.headers, text }
    } catch (error) {
      throw this.#transportError(request, error, { deadline, caller: request.signal })
    }
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }

  #createPool(): Pool {
    const { tls, timeouts, baseUrl } = this.#options
    if (tls?.insecure) {
      const warn = this.#options.onWarning ?? ((m: string) => process.emitWarning(m, 'FlinkDeployWarning'))
      warn(`TLS certificate verification is disabled for ${baseUrl.origin}; use this only for test clusters`)
    }
    return new Pool(this.#origin, {
      allowH2: false,
      connections: 8,
      connectTimeout: timeouts.connectMs,
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
      connect: tls
        ? {
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            passphrase: tls.passphrase,
            servername: tls.servername,
            rejectUnauthorized: tls.insecure !== true,
          }
        : undefined,
    })
  }

  #transportError(
    request: HttpRequest,
    error: unknown,
    signals: { deadline: AbortSignal; caller: AbortSignal | undefined },
  ): FlinkTransportError {
    const path = this.describe(request.path)
    const base = { method: request.method, path, attempts: 1, cause: error }
    if (signals.caller?.aborted) {
      return new FlinkTransportError({
        ...base,
        reason: 'ABORTED',
        detail: 'the caller cancelled the request',
      })
    }
    if (signals.deadline.aborted) {
      const ms = request.timeoutMs ?? this.#options.timeouts.requestMs
      return new FlinkTransportError({
        ...base,
        reason: 'DEADLINE_EXCEEDED',
        detail: `no complete answer within ${ms} ms`,
      })
    }
    const code = errorCode(error)
    const tls = tlsFailure(code, this.#origin, this.#options.tls?.cert !== undefined)
    return new FlinkTransportError({ ...base, ...(tls ?? { reason: code, detail: errorMessage(error) }) })
  }
}

function authHeader(options: ResolvedClientOptions): Record<string, string> {
  const auth = options.auth
  if (!auth) return {}
  if (auth.type === 'bearer') return { authorization: `Bearer ${auth.token}` }
  const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64')
  return { authorization: `Basic ${basic}` }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}

/** The most specific error code in an undici / Node error chain (ECONNREFUSED beats a generic wrapper). */
export function errorCode(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && !code.startsWith('UND_ERR_') && code !== 'ERR_INVALID_STATE') return code
  }
  const code = (error as { code?: unknown })?.code
  return typeof code === 'string' ? code : 'UNKNOWN'
}

function errorMessage(error: unknown): string {
  const messages: string[] = []
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message && !messages.includes(e.message)) messages.push(e.message)
  }
  if (error instanceof AggregateError) messages.push(...error.errors.map((e) => String(e?.message ?? e)))
  return messages.join(': ') || String(error)
}
