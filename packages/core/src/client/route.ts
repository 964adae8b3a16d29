/**
 * A route is one Flink REST endpoint, keyed by Flink's own method and path template ('GET /jobs/:jobid').
 * Its zod schemas describe the query, the body and the response; the path parameters are typed from the
 * template itself and validated by name (every `:jobid` is 32 lowercase hex, and so on).
 */
import type * as z from 'zod'
import { InvalidArgumentError } from '../errors.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type RouteKey = `${HttpMethod} /${string}`

/** 'GET /jobs/:jobid/vertices/:vertexid' → 'jobid' | 'vertexid' */
export type PathParamNames<K extends string> = K extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<Rest>
  : K extends `${string}:${infer Name}`
    ? Name
    : never

export type PathParams<K extends string> = {
  [N in PathParamNames<K>]: N extends NumericParam ? number | string : string
}

export interface RouteSpec {
  /** Method name on the client's resource group, e.g. `client.jobs.get`. */
  name: string
  /** One line for the generated docs. */
  summary: string
  query?: z.ZodType
  body?: z.ZodType
  response: z.ZodType
  /**
   * Whether a transient failure may be retried: 'always' for reads and naturally idempotent writes,
   * 'with-key' when the body carries a client-chosen triggerId or jobId, 'never' otherwise.
   */
  retry: 'always' | 'with-key' | 'never'
  /** The body is a file streamed as multipart/form-data rather than JSON (jar upload). */
  multipart?: true
}

export type RouteTable = Record<RouteKey, RouteSpec>

export type RouteArgs<K extends string, S extends RouteSpec> = PathParams<K> &
  (S['query'] extends z.ZodType ? { query?: z.input<S['query']> } : unknown) &
  (S['body'] extends z.ZodType ? BodyArg<S['body']> : unknown) &
  CallOptions

type BodyArg<B extends z.ZodType> =
  undefined extends z.input<B> ? { body?: z.input<B> } : { body: z.input<B> }

export type CallOptions = {
  signal?: AbortSignal
  /** Overall deadline of this call in milliseconds, retries included. */
  timeoutMs?: number
}

export type RouteResult<S extends RouteSpec> = z.output<S['response']>

type NumericParam = 'checkpointid' | 'subtaskindex' | 'attempt'

const HEX32 = /^[0-9a-f]{32}$/
const PARAM_RULES: Record<string, { test: (v: string) => boolean; expected: string }> = {
  jobid: { test: (v) => HEX32.test(v), expected: 'a Flink JobID: 32 lowercase hex characters' },
  vertexid: { test: (v) => HEX32.test(v), expected: 'a JobVertexID: 32 lowercase hex characters' },
  triggerid: { test: (v) => HEX32.test(v), expected: 'a TriggerId: 32 lowercase hex characters' },
  datasetid: {
    test: (v) => HEX32.test(v),
    expected: 'an IntermediateDataSetID: 32 lowercase hex characters',
  },
  checkpointid: { test: (v) => /^\d+$/.test(v), expected: 'a checkpoint id: a non-negative integer' },
  subtaskindex: { test: (v) => /^\d+$/.test(v), expected: 'a subtask index: a non-negative integer' },
  attempt: { test: (v) => /^\d+$/.test(v), expected: 'an attempt number: a non-negative integer' },
  jarid: {
    test: (v) => /^[^/\\]+\.jar$/.test(v),
    expected: 'a jar id as listed by GET /jars, e.g. 1b2c..._job.jar',
  },
  taskmanagerid: {
    test: (v) => v.length > 0 && !/[/\\]/.test(v),
    expected: 'a TaskManager id as listed by GET /taskmanagers',
  },
}

export function splitKey(key: string): { method: HttpMethod; template: string } {
  const space = key.indexOf(' ')
  return { method: key.slice(0, space) as HttpMethod, template: key.slice(space + 1) }
}

/** Fills a path template, validating each parameter before anything is sent. */
export function buildPath(template: string, params: Record<string, unknown>): string {
  return template.replace(/:([a-z]+)/g, (_, name: string) => {
    const raw = params[name]
    const rule = PARAM_RULES[name]
    if (raw === undefined || raw === null || raw === '') {
      throw new InvalidArgumentError(name, `missing; expected ${rule?.expected ?? 'a value'}`)
    }
    const value = String(raw)
    if (rule && !rule.test(value)) throw new InvalidArgumentError(name, `"${value}" is not ${rule.expected}`)
    return encodeURIComponent(value)
  })
}

/** Flink reads list query parameters as comma-separated values (`get=a,b`, `subtasks=1,3-5`). */
export function buildQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return ''
  const parts: string[] = []
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? value.join(',') : String(value)
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`)
  }
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}

/** Declares a resource's routes; `const` keeps each method name literal so the client's methods are typed. */
export function defineRoutes<const T extends RouteTable>(table: T): T {
  return table
}
