/**
 * Shared checks for the route tables (test-only). Each group's test lists one case per route: the call,
 * the request Flink must see, and a realistic answer captured from (or shaped like) a real cluster. For
 * every case the kit checks the request, the parsed success answer, and Flink's error shape.
 */
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FlinkApiError } from '../../errors.ts'
import { createFlinkClient, type FlinkClient } from '../flink-client.ts'
import type { ClientOptions } from '../options.ts'
import { type RouteTable, splitKey } from '../route.ts'
import type { AllRouteKey } from './index.ts'

export const ORIGIN = 'http://flink.test:8081'

export interface MockedFlink {
  client: FlinkClient
  agent: MockAgent
  /** Answers the next request to `path` (with its query string, without the /v1 prefix). */
  reply(method: string, path: string, status: number, body: unknown, headers?: Record<string, string>): void
}

export function mockFlink(options: Partial<ClientOptions> = {}): MockedFlink {
  const agent = new MockAgent({ enableCallHistory: true })
  agent.disableNetConnect()
  const client = createFlinkClient({ baseUrl: ORIGIN, dispatcher: agent, retry: { retries: 0 }, ...options })
  const pool = agent.get(ORIGIN)
  return {
    client,
    agent,
    reply(method, path, status, body, headers) {
      const data = typeof body === 'string' ? body : JSON.stringify(body)
      pool
        .intercept({ method, path: `/v1${path}` })
        .reply(status, data, { headers: { 'content-type': 'application/json', ...headers } })
    },
  }
}

export interface RouteCase {
  key: AllRouteKey
  /** Arguments of the client method, path parameters included. */
  args?: Record<string, unknown>
  /** The path Flink receives, with query string, without the /v1 prefix. */
  path: string
  /** The JSON body Flink receives, when the route has one. */
  sentBody?: unknown
  /** HTTP status of a successful answer (defaults to 200). */
  status?: number
  response: unknown
  /** Expected parse result when it differs from `response` (e.g. defaults applied). */
  parsed?: unknown
  /** For routes whose body cannot be mocked as JSON: the call must fail with this code before any request. */
  expectError?: string
}

/** Generates success and error tests for every route of a group, and fails when a route has no case. */
export function testRouteGroup(groupName: string, table: RouteTable, cases: RouteCase[]): void {
  describe(`${groupName} routes`, () => {
    let flink: MockedFlink
    beforeEach(() => {
      flink = mockFlink()
    })
    afterEach(async () => {
      flink.agent.assertNoPendingInterceptors()
      await flink.agent.close()
    })

    it('has a case for every route of the group', () => {
      expect(cases.map((c) => c.key).sort()).toEqual(Object.keys(table).sort())
    })

    for (const c of cases) {
      const { method } = splitKey(c.key)
      const call = () => flink.client.request(c.key, (c.args ?? {}) as never)

      if (c.expectError) {
        it(`${c.key} checks its arguments before sending anything`, async () => {
          await expect(call()).rejects.toMatchObject({ code: c.expectError })
          expect(flink.agent.getCallHistory()?.calls() ?? []).toHaveLength(0)
        })
        continue
      }

      it(`${c.key} sends the request Flink expects and parses its answer`, async () => {
        flink.reply(method, c.path, c.status ?? 200, c.response)
        const result = await call()
        expect(result).toEqual(c.parsed ?? c.response)
        const sent = flink.agent.getCallHistory()?.lastCall()
        expect(sent?.method).toBe(method)
        if (c.sentBody !== undefined) expect(JSON.parse(String(sent?.body))).toEqual(c.sentBody)
        else expect(sent?.body ?? undefined).toBeUndefined()
      })

      it(`${c.key} turns Flink's error answer into a FlinkApiError`, async () => {
        flink.reply(method, c.path, 404, {
          errors: ['org.apache.flink.runtime.rest.NotFoundException: Not found.'],
        })
        const error = await call().catch((e: unknown) => e)
        expect(error).toBeInstanceOf(FlinkApiError)
        expect(error).toMatchObject({ code: 'FLINK_API_ERROR', status: 404, method })
        expect((error as FlinkApiError).errors[0]).toContain('Not found.')
      })
    }
  })
}
