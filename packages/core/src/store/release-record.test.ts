import { mkdtemp, readdir, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StateFileInvalidError } from './errors.ts'
import {
  createFileReleaseRecords,
  createMemoryReleaseRecords,
  type ReleaseRecord,
  readReleaseRecord,
  releaseRecordPath,
  writeReleaseRecord,
} from './release-record.ts'

const record = (jobName: string, extra: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  jobName,
  jobId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  jarPath: 'build/orders.jar',
  jarSha256: 'ab'.repeat(32),
  jarId: '0b5d2c1e-1111-2222-3333-444455556666_orders.jar',
  entryClass: 'dev.flinkdeploy.example.StatefulCounterJob',
  programArgs: ['--release', 'v2'],
  parallelism: 2,
  flinkConfiguration: { 'pipeline.name': jobName },
  savepointPath: 'file:/tmp/savepoints/savepoint-1',
  deployedAt: '2026-11-27T10:00:00.000Z',
  ...extra,
})

describe('release records', () => {
  it('one file per job name, read back as written; names that look alike stay apart', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'releases-')), 'releases')
    const releases = createFileReleaseRecords(dir)
    expect(await releases.read('orders')).toBeUndefined()
    const names = ['orders', 'Orders', 'team/orders', 'team orders', 'team_orders']
    for (const name of names) await releases.write(record(name, { programArgs: [name] }))
    for (const name of names) expect(await releases.read(name)).toEqual(record(name, { programArgs: [name] }))
    expect(await readdir(dir)).toHaveLength(names.length)
    expect(basename(releaseRecordPath(dir, 'team/orders'))).toMatch(
      /^team_orders-[0-9a-f]{12}\.release\.json$/,
    )
    await releases.write(record('orders', { jobId: 'f'.repeat(32) }))
    expect((await releases.read('orders'))?.jobId).toBe('f'.repeat(32))
    await releases.remove('orders')
    await releases.remove('orders')
    expect(await releases.read('orders')).toBeUndefined()
  })

  it('refuses to write an incomplete record', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'releases-')), 'r.json')
    await expect(writeReleaseRecord(path, record('orders', { jarSha256: 'nope' }))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(
      createMemoryReleaseRecords().write(record('x', { programArgs: undefined as never })),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('a corrupt, foreign-version or misplaced record is a typed error naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'releases-'))
    const corrupt = join(dir, 'corrupt.json')
    await writeFile(corrupt, '{"formatVersion": 1, "release": {')
    await expect(readReleaseRecord(corrupt)).rejects.toMatchObject({
      code: 'STATE_FILE_INVALID',
      problem: 'not-json',
    })

    const newer = join(dir, 'newer.json')
    await writeFile(newer, JSON.stringify({ formatVersion: 7, release: record('orders') }))
    const error = await readReleaseRecord(newer).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StateFileInvalidError)
    expect(error).toMatchObject({ problem: 'version' })
    expect((error as Error).message).toContain(newer)

    const releases = createFileReleaseRecords(dir)
    await releases.write(record('orders'))
    await rename(releaseRecordPath(dir, 'orders'), releaseRecordPath(dir, 'payments'))
    await expect(releases.read('payments')).rejects.toMatchObject({
      code: 'STATE_FILE_INVALID',
      problem: 'shape',
    })
  })

  it('memory records keep copies', async () => {
    const releases = createMemoryReleaseRecords()
    const r = record('orders')
    await releases.write(r)
    r.programArgs.push('--mutated')
    expect((await releases.read('orders'))?.programArgs).toEqual(['--release', 'v2'])
    await releases.remove('orders')
    expect(await releases.read('orders')).toBeUndefined()
  })
})
