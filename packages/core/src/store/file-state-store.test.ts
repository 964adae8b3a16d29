import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isFlinkDeployError } from '../errors.ts'
import { StateFileInvalidError } from './errors.ts'
import { createFileStateStore, createMemoryStateStore } from './file-state-store.ts'
import type { PersistedRun, StateStore } from './state-store.ts'

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'flink-deploy-store-'))
}

function run(step: string, extra: Record<string, unknown> = {}): PersistedRun {
  return {
    formatVersion: 1,
    machine: 'stop-and-restart',
    machineVersion: 1,
    runId: 'run-1',
    snapshot: { value: step, context: { savepointPath: 'file:/sp/savepoint-1', ...extra } },
    updatedAt: new Date().toISOString(),
  }
}

async function stepOf(store: StateStore): Promise<string | undefined> {
  return ((await store.read())?.snapshot as { value?: string } | undefined)?.value
}

async function readError(path: string): Promise<StateFileInvalidError> {
  const error = await createFileStateStore(path)
    .read()
    .catch((e: unknown) => e)
  expect(error).toBeInstanceOf(StateFileInvalidError)
  expect(isFlinkDeployError(error)).toBe(true)
  expect((error as StateFileInvalidError).code).toBe('STATE_FILE_INVALID')
  expect((error as Error).message).toContain(path)
  return error as StateFileInvalidError
}

describe('file state store', () => {
  it('writes, reads back and clears; creates the directory; no error clearing twice', async () => {
    const path = join(await tempDir(), 'nested', 'dir', 'orders.json')
    const store = createFileStateStore(path)
    expect(store.location).toBe(`file ${path}`)
    expect(await store.read()).toBeUndefined()
    await store.write(run('stopping'))
    expect(await store.read()).toMatchObject({ machine: 'stop-and-restart', runId: 'run-1' })
    expect((await store.read())?.snapshot).toEqual(run('stopping').snapshot)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    await store.write(run('verifying'))
    expect(await stepOf(store)).toBe('verifying')
    await store.clear()
    expect(await store.read()).toBeUndefined()
    await store.clear()
  })

  it('keeps fields it does not know (written by a newer minor version)', async () => {
    const path = join(await tempDir(), 'run.json')
    await writeFile(path, JSON.stringify({ ...run('x'), jobName: 'orders' }))
    expect(await createFileStateStore(path).read()).toMatchObject({ jobName: 'orders' })
  })

  it('refuses to write a run it could not read back', async () => {
    const path = join(await tempDir(), 'run.json')
    const store = createFileStateStore(path)
    await store.write(run('good'))
    const bad = { ...run('bad'), runId: '' }
    await expect(store.write(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    const circular: Record<string, unknown> = {}
    circular.self = circular
    await expect(store.write({ ...run('bad'), snapshot: circular })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(await stepOf(store)).toBe('good')
  })

  it('a corrupt file is a typed error naming the file and the problem', async () => {
    const dir = await tempDir()
    const truncated = join(dir, 'truncated.json')
    await writeFile(truncated, JSON.stringify(run('x')).slice(0, 40))
    expect((await readError(truncated)).problem).toBe('not-json')

    const empty = join(dir, 'empty.json')
    await writeFile(empty, '')
    expect((await readError(empty)).message).toContain('it is empty')

    const array = join(dir, 'array.json')
    await writeFile(array, '[1,2]')
    expect((await readError(array)).problem).toBe('shape')

    const missing = join(dir, 'missing-field.json')
    const { runId: _, ...noRunId } = run('x')
    await writeFile(missing, JSON.stringify(noRunId))
    const error = await readError(missing)
    expect(error.problem).toBe('shape')
    expect(error.message).toContain('runId')
  })

  it('an unknown formatVersion is a typed error saying which version it is', async () => {
    const dir = await tempDir()
    const newer = join(dir, 'newer.json')
    await writeFile(newer, JSON.stringify({ ...run('x'), formatVersion: 2 }))
    const error = await readError(newer)
    expect(error.problem).toBe('version')
    expect(error.message).toContain('formatVersion is 2')

    const none = join(dir, 'none.json')
    await writeFile(none, JSON.stringify({ hello: 'world' }))
    expect((await readError(none)).problem).toBe('version')
  })

  it('a reader never sees a partial file while the run is rewritten many times', async () => {
    const path = join(await tempDir(), 'busy.json')
    const store = createFileStateStore(path)
    // Large enough that a non-atomic write would be observed half-done.
    const big = 'x'.repeat(256 * 1024)
    await store.write(run('0', { big }))
    let writing = true
    let reads = 0
    const reader = (async () => {
      while (writing) {
        const current = await store.read()
        expect(current?.snapshot).toMatchObject({ context: { big } })
        reads++
      }
    })()
    for (let i = 1; i <= 60; i++) await store.write(run(String(i), { big }))
    writing = false
    await reader
    expect(reads).toBeGreaterThan(0)
    expect(await stepOf(store)).toBe('60')
    // No temporary files are left behind.
    expect(await readdir(join(path, '..'))).toEqual(['busy.json'])
  })

  it('a crash between the temporary write and the rename leaves the old run readable', async () => {
    const dir = await tempDir()
    const path = join(dir, 'run.json')
    const store = createFileStateStore(path)
    await store.write(run('before'))
    // What a process killed after writing its temporary file leaves: a half-written sibling.
    await writeFile(join(dir, `.run.json.12345.deadbeef.tmp`), JSON.stringify(run('after')).slice(0, 30))
    expect(await stepOf(store)).toBe('before')
    // And the next write still works.
    await store.write(run('after'))
    expect(await stepOf(store)).toBe('after')
    expect(JSON.parse(await readFile(path, 'utf8')).formatVersion).toBe(1)
  })

  it('an I/O failure is a typed error', async () => {
    const dir = await tempDir()
    // The target is a directory: rename fails.
    const store = createFileStateStore(dir)
    await expect(store.write(run('x'))).rejects.toMatchObject({ code: 'STATE_STORE_IO', operation: 'write' })
    await expect(store.read()).rejects.toMatchObject({ code: 'STATE_STORE_IO', operation: 'read' })
    expect((await readdir(join(dir, '..'))).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})

describe('memory state store', () => {
  it('keeps a copy and validates like the file store', async () => {
    const store = createMemoryStateStore()
    expect(await store.read()).toBeUndefined()
    const original = run('a')
    await store.write(original)
    ;(original.snapshot as { value: string }).value = 'mutated'
    expect(await stepOf(store)).toBe('a')
    await expect(store.write({ ...run('b'), machine: '' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await store.clear()
    expect(await store.read()).toBeUndefined()
    expect(await createMemoryStateStore(run('seed')).read()).toMatchObject({ runId: 'run-1' })
  })
})
