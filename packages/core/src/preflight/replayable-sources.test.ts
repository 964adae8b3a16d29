import { describe, expect, it } from 'vitest'
import type { FlinkClient } from '../client/flink-client.ts'
import { PreflightFailedError } from '../errors.ts'
import { requireReplayingSources, sourceReplay } from './replayable-sources.ts'

/**
 * Blue as GET /jobs/:id and GET …/subtasks/metrics show it: two input-less vertices and one with inputs, each
 * listing the metric ids `metrics(vertex, ask)` gives on the ask-th listing.
 */
function blue(metrics: (vertex: string, ask: number) => string[]) {
  const asked = new Map<string, number>()
  const vertices = [
    { id: 'a', name: 'Source: orders -> Map' },
    { id: 'b', name: 'Source: Socket Stream' },
    { id: 'c', name: 'counter -> discard: Writer' },
  ]
  const plan = { nodes: [{ id: 'a' }, { id: 'b' }, { id: 'c', inputs: [{ id: 'a' }, { id: 'b' }] }] }
  const client = {
    jobs: { get: async () => ({ jid: 'j', vertices, plan }) },
    vertices: {
      subtasksMetrics: async ({ vertexid }: { vertexid: string }) => {
        const ask = (asked.get(vertexid) ?? 0) + 1
        asked.set(vertexid, ask)
        return metrics(vertexid, ask).map((id) => ({ id }))
      },
    },
  } as unknown as FlinkClient
  return { client, asked }
}
const wait = (ms: number) => ({ deadline: Date.now() + ms, pollMs: 10 })

describe('which sources replay from a checkpoint', () => {
  it('a vertex listing sourceIdleTime runs a FLIP-27 source; one listing only other metrics does not', async () => {
    const { client, asked } = blue((v) =>
      v === 'a'
        ? ['numRecordsOut', 'Source__orders.sourceIdleTime', 'Source__orders.numRecordsIn']
        : ['numRecordsOut', 'Source__Socket_Stream.numRecordsOut'],
    )
    expect(await sourceReplay(client, 'j', wait(1_000))).toEqual({
      replaying: ['Source: orders -> Map'],
      unsure: [
        { vertex: 'Source: Socket Stream', reason: expect.stringMatching(/reports no sourceIdleTime/) },
      ],
    })
    // The vertex with inputs is not asked; no second listing when every source listed something.
    expect([...asked]).toEqual([
      ['a', 1],
      ['b', 1],
    ])
  })

  it('waits for metrics Flink has not fetched yet, then decides on them', async () => {
    const { client } = blue((_, ask) => (ask < 3 ? [] : ['Source__x.sourceIdleTime']))
    expect(await sourceReplay(client, 'j', wait(5_000))).toEqual({
      replaying: ['Source: orders -> Map', 'Source: Socket Stream'],
      unsure: [],
    })
  })

  it('a source whose metrics never show is unsure, after the wait; the refusal names it and the override', async () => {
    const { client } = blue((v) => (v === 'a' ? ['Source__orders.sourceIdleTime'] : []))
    const started = Date.now()
    const refused = await requireReplayingSources(client, 'j', wait(200)).catch((e: unknown) => e)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(refused).toBeInstanceOf(PreflightFailedError)
    expect((refused as PreflightFailedError).check).toBe('sources-replay')
    expect((refused as Error).message).toMatch(
      /cannot tell for Source: Socket Stream \(Flink listed no metrics for it, .*\)\. Upgrade with a savepoint instead .*--assume-sources-replay/,
    )
    expect((refused as PreflightFailedError).details).toMatchObject({ replaying: ['Source: orders -> Map'] })
  })
})
