/**
 * Savepoint retention against the fake Flink: upgrades record the savepoints they take in the job's
 * release record; list and prune read that history, dispose through `POST /savepoint-disposal` and
 * never touch what a rollback or a stored run needs, or what flink-deploy cannot attribute to itself.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { releaseRecordPath } from '../store/release-record.ts'
import { fileRunStorage, type RunStorage } from '../store/run-storage.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from '../upgrade/options.ts'
import { upgrade } from '../upgrade/run-upgrade.ts'
import { pruneSavepoints } from './prune.ts'
import { listSavepoints } from './savepoint-list.ts'
import { savepointOnDisk } from './savepoint-size.ts'

let dir: string
let fake: InProcessFakeFlink
let client: FlinkClient
let stateFile: string
let storage: RunStorage

const release = (build: string, extra: Partial<UpgradeOptions> = {}): UpgradeOptions => {
  const jar = join(dir, `orders-${build}.jar`)
  writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return {
    jobName: 'orders',
    jar,
    args: ['--name', 'orders', '--release', build === 'v1' ? 'v1' : 'v2'],
    verify: { checkpoints: 1, stabilisationMs: 100, timeoutMs: 5_000 },
    timeouts: { blueSettleMs: 200 },
    ...extra,
  }
}

/** A first deployment and `upgrades` upgrades: the savepoints they took, oldest first. */
async function deployAndUpgrade(upgrades: number): Promise<string[]> {
  const paths: string[] = []
  for (let i = 0; i <= upgrades; i++) {
    const result = await upgrade(release(`v${i + 1}`), { client, stateFile })
    expect(result.outcome).toBe('upgraded')
    if (result.savepointPath) paths.push(result.savepointPath)
  }
  return paths
}

const disposals = () =>
  fake.requests.filter((r) => r.method === 'POST' && r.path === '/savepoint-disposal').length
const recordText = () => readFileSync(releaseRecordPath(join(dir, 'state', 'releases'), 'orders'), 'utf8')

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flink-deploy-retention-'))
  stateFile = join(dir, 'state', 'orders.json')
  storage = fileRunStorage(stateFile)
  fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
  client = createFlinkClient({ baseUrl: fake.url })
})
afterEach(async () => {
  await client.close()
  await fake.stop()
})

describe('savepoint history', () => {
  it('each upgrade records the savepoint it took; the newest is the rollback target', async () => {
    const taken = await deployAndUpgrade(3)
    expect(taken).toHaveLength(3)
    const { savepoints } = await listSavepoints(storage, 'orders')
    expect(savepoints.map((s) => s.path)).toEqual([...taken].reverse())
    expect(savepoints.map((s) => s.rollbackTarget)).toEqual([true, false, false])
    expect(savepoints[0]).toMatchObject({
      protectedBy: 'rollback-target',
      attributable: true,
      kind: 'savepoint',
    })
    expect(savepoints[1]!.protectedBy).toBeUndefined()
  })
})

describe('savepoints prune', () => {
  it('keep n disposes of the older ones through Flink and records it in the history', async () => {
    const taken = await deployAndUpgrade(4)
    const result = await pruneSavepoints(client, storage, { jobName: 'orders', keep: 2 })
    expect(result.disposed.map((s) => s.path).sort()).toEqual(taken.slice(0, 2).sort())
    expect(result.kept.map((k) => [k.savepoint.path, k.because])).toEqual([
      [taken[3], 'rollback-target'],
      [taken[2], 'within-keep'],
    ])
    for (const path of taken.slice(0, 2)) expect(fake.cluster.snapshot(path)).toBeUndefined()
    for (const path of taken.slice(2)) expect(fake.cluster.snapshot(path)).toBeDefined()

    const { savepoints } = await listSavepoints(storage, 'orders')
    expect(savepoints.map((s) => s.state)).toEqual(['missing', 'missing', 'pruned', 'pruned'])
    expect(savepoints[3]!.prunedAt).toBeDefined()
    // Pruned once, recorded once: a second prune has nothing to do.
    const again = await pruneSavepoints(client, storage, { jobName: 'orders', keep: 2 })
    expect(again.disposed).toEqual([])
    expect(disposals()).toBe(2)
  })

  it('max age disposes of what is older, keeps the rollback target whatever its age', async () => {
    const taken = await deployAndUpgrade(3)
    const hourLater = Date.now() + 3_600_000
    const result = await pruneSavepoints(client, storage, {
      jobName: 'orders',
      maxAgeMs: 1_800_000,
      now: hourLater,
    })
    expect(result.disposed.map((s) => s.path).sort()).toEqual(taken.slice(0, 2).sort())
    expect(result.kept).toMatchObject([{ savepoint: { path: taken[2] }, because: 'rollback-target' }])
  })

  it('keep 0 still keeps the rollback target', async () => {
    const taken = await deployAndUpgrade(2)
    const result = await pruneSavepoints(client, storage, { jobName: 'orders', keep: 0 })
    expect(result.disposed.map((s) => s.path)).toEqual([taken[0]])
    expect(fake.cluster.snapshot(taken[1]!)).toBeDefined()
  })

  it('--dry-run selects and disposes of nothing, writes nothing, takes no lock', async () => {
    const taken = await deployAndUpgrade(3)
    const before = recordText()
    const result = await pruneSavepoints(client, storage, { jobName: 'orders', keep: 1, dryRun: true })
    expect(result.prune.map((s) => s.path).sort()).toEqual(taken.slice(0, 2).sort())
    expect(result.disposed).toEqual([])
    expect(disposals()).toBe(0)
    expect(recordText()).toBe(before)
    expect(existsSync(`${stateFile}.lock`)).toBe(false)
    for (const path of taken) expect(fake.cluster.snapshot(path)).toBeDefined()
  })

  it('never disposes of a savepoint a stored run that has not finished needs', async () => {
    const taken = await deployAndUpgrade(3)
    const run = JSON.parse(readFileSync(stateFile, 'utf8'))
    // The stored run, as if it had stopped midway with the oldest savepoint as its recovery point.
    run.snapshot.status = 'active'
    run.snapshot.context.savepoint.location = taken[0]
    writeFileSync(stateFile, JSON.stringify(run))
    const result = await pruneSavepoints(client, storage, { jobName: 'orders', keep: 1 })
    expect(result.disposed.map((s) => s.path)).toEqual([taken[1]])
    expect(result.kept).toContainEqual(
      expect.objectContaining({
        savepoint: expect.objectContaining({ path: taken[0] }),
        because: 'needed-by-run',
      }),
    )
    expect(fake.cluster.snapshot(taken[0]!)).toBeDefined()
  })

  it('never disposes of what it cannot attribute: checkpoints, claimed savepoints, unrecorded ones', async () => {
    await deployAndUpgrade(1)
    const record = (await storage.releases.read('orders'))!
    const old = new Date(Date.now() - 86_400_000).toISOString()
    const foreign = 'file:/elsewhere/savepoint-foreign'
    await storage.releases.write({
      ...record,
      savepointPath: foreign,
      runId: 'some-other-run',
      savepoints: [
        { path: 'file:/c/chk-1', takenAt: old, runId: 'r1', kind: 'checkpoint' },
        { path: 'file:/s/claimed', takenAt: old, runId: 'r2', kind: 'savepoint', claimed: true },
        ...record.savepoints!,
      ],
    })
    const result = await pruneSavepoints(client, storage, { jobName: 'orders', keep: 0 })
    expect(result.kept.map((k) => [k.savepoint.path, k.because]).sort()).toEqual(
      [
        ['file:/c/chk-1', 'not-attributable'],
        ['file:/s/claimed', 'not-attributable'],
        [foreign, 'rollback-target'],
      ].sort(),
    )
    // Only the savepoint this tool took and no release needs went.
    expect(result.disposed.map((s) => s.path)).toEqual([record.savepoints![0]!.path])
    expect(disposals()).toBe(1)
  })

  it('refuses rules that select nothing before anything is read or sent', async () => {
    await expect(pruneSavepoints(client, storage, { jobName: 'orders' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(pruneSavepoints(client, storage, { jobName: 'orders', keep: -1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    expect(fake.requests).toEqual([])
  })

  it('a disposal Flink refuses is reported and stays unrecorded', async () => {
    const taken = await deployAndUpgrade(2)
    fake.faults.failNext(5, 500, { match: 'POST /savepoint-disposal' })
    const result = await pruneSavepoints(client, storage, { jobName: 'orders', keep: 1 })
    expect(result.failed.map((f) => f.savepoint.path)).toEqual([taken[0]])
    const { savepoints } = await listSavepoints(storage, 'orders')
    expect(savepoints.find((s) => s.path === taken[0])!.state).not.toBe('pruned')
  })
})

describe('keepSavepoints on upgrade', () => {
  it('prunes after a successful upgrade', async () => {
    const taken = await deployAndUpgrade(2)
    const result = await upgrade(release('v9', { keepSavepoints: 1 }), { client, stateFile })
    expect(result.outcome).toBe('upgraded')
    expect(result.prunedSavepoints?.sort()).toEqual(taken.sort())
    expect(fake.cluster.snapshot(result.savepointPath!)).toBeDefined()
  })

  it('does not prune when the upgrade rolled back', async () => {
    await deployAndUpgrade(2)
    const result = await upgrade(
      release('v9', {
        keepSavepoints: 0,
        args: ['--name', 'orders', '--release', 'v2', '--fail-after', '1'],
      }),
      { client, stateFile },
    )
    expect(result.outcome).toBe('rolled-back')
    expect(result.prunedSavepoints).toBeUndefined()
    expect(disposals()).toBe(0)
  })

  it('a prune that fails is a warning; the outcome stays upgraded', async () => {
    await deployAndUpgrade(1)
    fake.faults.failNext(5, 500, { match: 'POST /savepoint-disposal' })
    const result = await upgrade(release('v9', { keepSavepoints: 0 }), { client, stateFile })
    expect(result.outcome).toBe('upgraded')
    expect(result.prunedSavepoints).toEqual([])
    expect(result.warnings.some((w) => w.includes('could not be pruned'))).toBe(true)
  })
})

describe('size on disk', () => {
  it('measures a local savepoint directory, says missing when it is gone, unknown elsewhere', async () => {
    const sp = join(dir, 'savepoint-abc')
    mkdirSync(join(sp, 'op'), { recursive: true })
    writeFileSync(join(sp, '_metadata'), Buffer.alloc(100))
    writeFileSync(join(sp, 'op', 'state'), Buffer.alloc(23))
    expect(await savepointOnDisk(`file:${sp}`)).toEqual({ state: 'present', sizeBytes: 123 })
    expect(await savepointOnDisk(`file://${sp}`)).toEqual({ state: 'present', sizeBytes: 123 })
    expect(await savepointOnDisk(`file:${sp}-gone`)).toEqual({ state: 'missing' })
    expect(await savepointOnDisk('s3://bucket/savepoint-abc')).toEqual({ state: 'unknown' })
  })
})
