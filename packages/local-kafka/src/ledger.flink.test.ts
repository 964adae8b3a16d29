/**
 * The ledger against the real broker: what it counts must be right, since every Kafka test and the bench rely
 * on it. The output here is written by hand (a stand-in for the job) with one record missing, one written
 * twice by another release, and a pause.
 */

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KafkaBroker, startKafkaBroker } from './broker.ts'
import { ledger } from './ledger.ts'

describe('kafka ledger on a real broker', () => {
  let broker: KafkaBroker
  beforeAll(async () => {
    broker = await startKafkaBroker()
  })
  afterAll(async () => {
    await broker?.stop()
  })

  it('kafka ledger: counts produced input, committed output, missing and duplicated per release, and the output pause', async () => {
    const books = ledger(broker.bootstrap, { input: 'ledger-in', output: 'ledger-out' })
    await books.createTopics(2)
    const producer = await books.startProducer(
      200,
      join(mkdtempSync(join(tmpdir(), 'ledger-')), 'producer.log'),
    )
    await expect.poll(async () => (await books.count()).input, { timeout: 30_000 }).toBeGreaterThan(5)
    const produced = await producer.stop()
    const all = Array.from({ length: produced }, (_, seq) => seq)
    // v1 writes everything but seq 3; v2 then writes seq 1 again, after a pause
    await books.writeOutput(all.filter((s) => s !== 3).map((s) => `${s},0,v1,${s % 4},1`))
    const pauseFrom = Date.now()
    await new Promise((r) => setTimeout(r, 700))
    await books.writeOutput(['1,0,v2,1,2'])
    const counts = await books.count({ from: pauseFrom })
    expect(counts).toMatchObject({
      input: produced,
      output: produced,
      missing: 1,
      duplicated: 1,
      releases: { v1: { output: produced - 1, duplicated: 0 }, v2: { output: 1, duplicated: 1 } },
    })
    expect(counts.outputPauseMs).toBeGreaterThanOrEqual(600)
    expect((await books.count({ to: pauseFrom - 60_000 })).outputPauseMs).toBe(0)
  })
})
