/**
 * Runs one route: validates the arguments, sends the request (retrying only what is safe to retry), and
 * turns the answer into either the parsed response or a typed error. Nothing here knows a specific endpoint.
 */
import * as z from 'zod'
import { FlinkApiError, FlinkResponseShapeError, InvalidArgumentError } from '../errors.ts'
import type { ResolvedClientOptions } from './options.ts'
import { retryAfterMs, withRetry } from './retry.ts'
import { buildPath, buildQuery, type CallOptions, type RouteSpec, splitKey } from './route.ts'
import type { HttpResponse, Transport } from './transport.ts'

export interface CallContext {
  transport: Transport
  retry: ResolvedClientOptions['retry']
  unreachableMs: number
  /** the JobManager answered this client once: from then on an unreachable one is an outage to wait out */
  answered: boolean
}

export type CallArgs = CallOptions & { query?: unknown; body?: unknown; [param: string]: unknown }

/** Adjusts a validated body before sending, e.g. to the cluster's Flink version. */
export type PrepareBody = (body: unknown) => Promise<unknown>

export async function callRoute(
  ctx: CallContext,
  key: string,
  spec: RouteSpec,
  args: CallArgs = {},
  prepare?: PrepareBody,
): Promise<unknown> {
  const { method, template } = splitKey(key)
  const query = validateInput('query', spec.query, args.query)
  const validBody = validateInput('body', spec.body, args.body)
  const path = `/v1${buildPath(template, args)}${buildQuery(query as Record<string, unknown> | undefined)}`
  const body = prepare && validBody !== undefined ? await prepare(validBody) : validBody
  const idempotent = spec.retry === 'always' || (spec.retry === 'with-key' && hasIdempotencyKey(body))

  const response = await withRetry(
    async () => {
      const answer = await ctx.transport.send({
        method,
        path,
        body: body === undefined ? undefined : JSON.stringify(body),
        contentType: body === undefined ? undefined : 'application/json',
        signal: args.signal,
        timeoutMs: args.timeoutMs,
      })
      ctx.answered = true
      throwIfError(answer, method, ctx.transport.describe(path))
      return answer
    },
    {
      idempotent,
      signal: args.signal,
      policy: ctx.retry,
      unreachableMs: ctx.answered ? ctx.unreachableMs : 0,
    },
  )
  return parseResponse(`${key}`, spec.response, response)
}

function validateInput(part: 'query' | 'body', schema: z.ZodType | undefined, value: unknown): unknown {
  if (schema === undefined) {
    if (value !== undefined) throw new InvalidArgumentError(part, 'this endpoint takes none')
    return undefined
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new InvalidArgumentError([part, ...issue.path].join('.'), issue.message)
  }
  return parsed.data
}

function hasIdempotencyKey(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false
  const { triggerId, jobId } = body as { triggerId?: unknown; jobId?: unknown }
  return typeof triggerId === 'string' || typeof jobId === 'string'
}

const ErrorBody = z.object({ errors: z.array(z.string()) })

/** Any non-2xx answer becomes a FlinkApiError carrying Flink's own messages when the body has them. */
export function throwIfError(response: HttpResponse, method: string, path: string): void {
  if (response.status >= 200 && response.status < 300) return
  throw new FlinkApiError({
    status: response.status,
    method,
    path,
    errors: errorMessages(response.text),
    retryAfterMs: retryAfterMs(response.headers['retry-after']),
  })
}

function errorMessages(text: string): string[] {
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(text))
    if (parsed.success) return parsed.data.errors
  } catch {
    // Not JSON: a proxy's HTML page or plain text. Keep a readable snippet of it.
  }
  const snippet = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200)
  return snippet ? [snippet] : []
}

export function parseResponse(endpoint: string, schema: z.ZodType, response: HttpResponse): unknown {
  let json: unknown
  try {
    json = response.text.trim() === '' ? {} : JSON.parse(response.text)
  } catch (error) {
    const snippet = response.text.slice(0, 120).replace(/\s+/g, ' ')
    throw new FlinkResponseShapeError(
      endpoint,
      `✖ body is not JSON (${describeType(response)}): "${snippet}"`,
      error,
    )
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success)
    throw new FlinkResponseShapeError(endpoint, z.prettifyError(parsed.error), parsed.error)
  return parsed.data
}

function describeType(response: HttpResponse): string {
  const type = response.headers['content-type']
  return `content-type ${Array.isArray(type) ? type[0] : (type ?? 'missing')}, ${response.text.length} bytes`
}
