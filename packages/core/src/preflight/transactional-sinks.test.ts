import { describe, expect, it } from 'vitest'
import { transactionalSinks } from './transactional-sinks.ts'

describe('transactionalSinks', () => {
  it("finds Sink V2 committers in plan descriptions as Flink 1.20 and 2.3 write them (the Kafka job's plan)", () => {
    expect(
      transactionalSinks([
        { description: 'counter<br/>+- orders-out: Writer<br/>   +- orders-out: Committer<br/>' },
        { description: 'Source: orders-in<br/>' },
      ]),
    ).toEqual(['orders-out'])
  })

  it('reads chains joined by arrows, names each sink once, and finds none in a job with a plain writer', () => {
    expect(
      transactionalSinks([{ description: 'a -> files: Writer -> files: Committer -> files: Committer' }]),
    ).toEqual(['files'])
    expect(transactionalSinks([{ description: 'counter<br/>+- discard: Writer<br/>' }, {}])).toEqual([])
  })
})
