/**
 * The request pipeline shared by the in-process and the loopback fakes: records the request, applies the
 * request faults (JobManager down, latency, 5xx, reset, malformed bodies), then lets the msw handlers
 * answer, with Flink's 404 for paths no handler serves.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { getResponse, type HttpHandler } from 'msw'
import type { FakeFlinkCluster } from './cluster-model.ts'
import type { FakeFlinkFaults, MalformedKind } from './faults.ts'
import { createFlinkHandlers, errorResponse, notFoundResponse } from './handlers.ts'
import { FlinkRestError } from './java-errors.ts'

/** What the transport must do: send a response, drop the connection, or refuse it (JobManager down). */
export type FakeAnswer = { kind: 'response'; response: Response } | { kind: 'reset' } | { kind: 'refused' }

/** One request the fake received. */
export interface RecordedRequest {
  method: string
  /** Path without the `/v1` prefix and without the query string. */
  path: string
  /** Path and query as sent. */
  url: string
  /** HTTP status answered, or 'reset' / 'refused'. */
  outcome: number | 'reset' | 'refused'
  timestamp: number
}

export class FakeFlinkEndpoint {
  readonly cluster: FakeFlinkCluster
  readonly faults: FakeFlinkFaults
  readonly handlers: HttpHandler[]
  readonly requests: RecordedRequest[] = []

  constructor(cluster: FakeFlinkCluster, faults: FakeFlinkFaults) {
    this.cluster = cluster
    this.faults = faults
    this.handlers = createFlinkHandlers(cluster)
  }

  async answer(request: Request): Promise<FakeAnswer> {
    const url = new URL(request.url)
    const path = url.pathname.replace(/^\/v1(?=\/|$)/, '') || '/'
    const record: RecordedRequest = {
      method: request.method,
      path,
      url: url.pathname + url.search,
      outcome: 0,
      timestamp: Date.now(),
    }
    this.requests.push(record)
    const answer = await this.#answer(request, url, path)
    record.outcome = answer.kind === 'response' ? answer.response.status : answer.kind
    return answer
  }

  async #answer(request: Request, url: URL, path: string): Promise<FakeAnswer> {
    if (!this.cluster.up) return { kind: 'refused' }
    const latency = this.faults.takeLatency(request.method, path)
    if (latency > 0) await sleep(latency)
    if (!this.cluster.up) return { kind: 'refused' }
    const fault = this.faults.takeRequestFault(request.method, path)
    if (fault?.kind === 'reset') return { kind: 'reset' }
    if (fault?.kind === 'status')
      return { kind: 'response', response: statusFault(fault.status, fault.retryAfterSeconds, fault.body) }
    if (fault?.kind === 'malformed' && fault.malformed === 'html')
      return { kind: 'response', response: htmlPage(200) }
    const response = await this.#route(request, url)
    if (fault?.kind === 'malformed')
      return {
        kind: 'response',
        response: await malform(response, fault.malformed as 'truncated-json' | 'wrong-types'),
      }
    return { kind: 'response', response }
  }

  async #route(request: Request, url: URL): Promise<Response> {
    try {
      const response = await getResponse(this.handlers, request, { baseUrl: url.origin, quiet: true })
      return response ?? notFoundResponse(url.pathname)
    } catch (error) {
      return errorResponse(error)
    }
  }
}

function statusFault(
  status: number,
  retryAfterSeconds: number | undefined,
  body: string | undefined,
): Response {
  const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' }
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds)
  if (body !== undefined)
    return new Response(body, { status, headers: { ...headers, 'content-type': 'application/json' } })
  if (status === 500) {
    const rest = new FlinkRestError(500, [
      'Internal server error.',
      '<Exception on server side:\njava.lang.RuntimeException: injected fault\n\nEnd of exception on server side>',
    ])
    return new Response(JSON.stringify({ errors: rest.errors }), {
      status,
      headers: { ...headers, 'content-type': 'application/json; charset=UTF-8' },
    })
  }
  return htmlPage(status, headers)
}

const REASONS: Record<number, string> = {
  200: 'OK',
  429: 'Too Many Requests',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Time-out',
}

/** What a reverse proxy (nginx) in front of Flink answers. */
function htmlPage(
  status: number,
  headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' },
): Response {
  const title = `${status} ${REASONS[status] ?? 'Error'}`
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/1.27.4</center>\r\n</body>\r\n</html>\r\n`
  return new Response(body, { status, headers })
}

async function malform(response: Response, kind: Exclude<MalformedKind, 'html'>): Promise<Response> {
  const text = await response.text()
  const headers = { 'content-type': 'application/json; charset=UTF-8' }
  if (kind === 'truncated-json')
    return new Response(text.slice(0, Math.max(1, Math.floor(text.length / 2))), { status: 200, headers })
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return new Response(text, { status: 200, headers })
  }
  return new Response(JSON.stringify(swapTypes(parsed)), { status: 200, headers })
}

/** Numbers become strings, strings numbers, booleans strings: every typed field is wrong. */
function swapTypes(value: unknown): unknown {
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return value.length
  if (typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return value.map(swapTypes)
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swapTypes(v)]))
  return value
}
