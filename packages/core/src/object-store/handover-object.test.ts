/**
 * Where the hand-over object goes for each kind of run storage, and that it is written whole: beside a state
 * file (a file: URI the local cluster's gates read), in a shared store's job prefix (one PUT), or where
 * handoverPath says.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { fileRunStorage, memoryRunStorage } from '../store/run-storage.ts'
import { createMemoryObjectStore } from './memory-object-store.ts'
import { objectRunStorage } from './object-run-storage.ts'

const dir = () => mkdtempSync(join(tmpdir(), 'flink-deploy-handover-object-'))

describe('the hand-over object', () => {
  it('beside a state file: <state>.handover.json as a file: URI, replaced whole', async () => {
    const d = dir()
    const handover = fileRunStorage(join(d, 'orders.json')).handover!()
    expect(handover.url).toBe(pathToFileURL(join(d, 'orders.handover.json')).href)
    await handover.write({ version: 1, cutoverMillis: 42 })
    await handover.write({ version: 2, cutoverMillis: 42, greenPasses: true })
    expect(JSON.parse(readFileSync(join(d, 'orders.handover.json'), 'utf8'))).toEqual({
      version: 2,
      cutoverMillis: 42,
      greenPasses: true,
    })
    expect(readdirSync(d)).toEqual(['orders.handover.json'])
  })

  it("in a shared store: the job's prefix, one object, its URI in the store", async () => {
    const objects = createMemoryObjectStore('bucket')
    const handover = objectRunStorage(objects, { job: 'orders/eu' }).handover!()
    expect(handover.url).toBe(`${objects.location}jobs/orders%2Feu/handover.json`)
    await handover.write({ version: 1, cutoverMillis: 7 })
    expect(JSON.parse((await objects.get('jobs/orders%2Feu/handover.json'))!.body)).toEqual({
      version: 1,
      cutoverMillis: 7,
    })
  })

  it('handoverPath: a file: URI or a path is written as a file; another scheme outside the store is refused', async () => {
    const d = dir()
    const url = pathToFileURL(join(d, 'h.json')).href
    const handover = memoryRunStorage().handover!(url)
    await handover.write({ version: 1 })
    expect(readFileSync(join(d, 'h.json'), 'utf8').trim()).toBe('{"version":1}')
    expect(() => fileRunStorage(join(d, 'orders.json')).handover!('s3://elsewhere/h.json')).toThrow(
      /neither a file nor inside the run's state store/,
    )
    expect(() => memoryRunStorage().handover!()).toThrow(/handoverPath/)
  })
})
