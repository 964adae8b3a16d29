/**
 * Moving a job to another cluster, on two fakes that share savepoint storage as two clusters share a bucket:
 * green runs on the target from blue's savepoint, a failed green brings blue back on its own cluster, blue-green
 * keeps both running until green is verified, a resume needs the same target, and every mistake a move can
 * hold is refused before blue is touched.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { createMemoryStateStore } from '../store/file-state-store.ts'
import { createMemoryReleaseRecords, type ReleaseRecordStore } from '../store/release-record.ts'
import type { Snapshot } from '../testing/index.ts'
import { type InProcessFakeFlink, serveFakeFlink, startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from '../upgrade/options.ts'
import { resume, type UpgradeRuntime, upgrade } from '../upgrade/run-upgrade.ts'

const SAVEPOINTS = 's3://savepoints/orders'
const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-move-'))
const quickVerify = { checkpoints: 1, stabilisationMs: 150, timeoutMs: 5_000 }

function release(build: string, extra: Partial<UpgradeOptions> & { args?: string[] } = {}): UpgradeOptions {
  const jar = join(dir, `orders-${build}.jar`)
  writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  const { args = [], ...rest } = extra
  return {
    jobName: 'orders',
    jar,
    args: ['--name', 'orders', '--release', build, ...args],
    verify: quickVerify,
    ...rest,
  }
}

let storage: Map<string, Snapshot>
let from: InProcessFakeFlink
let to: InProcessFakeFlink
let blueClient: FlinkClient
let targetClient: FlinkClient
let releases: ReleaseRecordStore

async function fakeCluster(version: string, options: Parameters<typeof startFakeFlink>[0] = {}) {
  return startFakeFlink({
    version,
    savepointDir: SAVEPOINTS,
    storage,
    timing: { programSecondMs: 20 },
    ...options,
  })
}

beforeEach(async () => {
  storage = new Map()
  from = await fakeCluster('1.20.5')
  to = await fakeCluster('2.3.0')
  blueClient = createFlinkClient({ baseUrl: from.url })
  targetClient = createFlinkClient({ baseUrl: to.url })
  releases = createMemoryReleaseRecords()
})
afterEach(async () => {
  await Promise.all([blueClient.close(), targetClient.close()])
  await Promise.all([from.stop(), to.stop()])
})

const live = (fake: InProcessFakeFlink) =>
  fake.cluster.jobs().filter((j) => !['FINISHED', 'CANCELED', 'FAILED'].includes(j.state))

/** v1 runs on the first cluster and has counted a while. */
async function deployBlue(): Promise<string> {
  const first = await upgrade(release('v1'), { client: blueClient, releases })
  expect(first.outcome).toBe('upgraded')
  await expect.poll(() => from.cluster.job(first.greenJobId!)?.stateCount() ?? 0).toBeGreaterThan(50)
  return first.greenJobId!
}

const move = (extra: Partial<UpgradeRuntime> = {}): UpgradeRuntime => ({
  client: blueClient,
  target: targetClient,
  releases,
  ...extra,
})

describe('moving a job to another cluster', () => {
  it('starts green on the target from blue savepoint, with the state continuing and the cluster recorded', async () => {
    const blueId = await deployBlue()
    const result = await upgrade(release('v2'), move())

    expect(result.outcome).toBe('upgraded')
    expect(result.clusters).toEqual({ blue: from.url, green: to.url })
    expect(result.savepointPath).toMatch(/^s3:\/\/savepoints\/orders\//)
    expect(live(from)).toEqual([])
    const green = to.cluster.job(result.greenJobId!)!
    expect(live(to).map((j) => j.id)).toEqual([green.id])
    const savepoint = storage.get(result.savepointPath!)!
    expect(savepoint.jobId).toBe(blueId)
    expect(green.restoredFrom?.path).toBe(savepoint.path)
    expect(green.stateCount()).toBeGreaterThanOrEqual(savepoint.stateCount)
    expect(result.running).toMatchObject([
      { role: 'green', jobId: green.id, state: 'RUNNING', cluster: to.url, subtasksRunning: true },
    ])
    expect(result.plan[0]).toBe(`move the job from ${from.url} (Flink 1.20.5) to ${to.url} (Flink 2.3.0)`)
    expect(result.warnings.join('\n')).toMatch(/Kryo 2 to Kryo 5/)
    expect(result.summary).toContain(`runs on ${to.url}`)
    const record = await releases.read('orders')
    expect(record).toMatchObject({ jobId: green.id, flinkUrl: to.url })
    // Only green's jar went to the target; blue's stays where blue ran.
    expect(to.cluster.jars().map((j) => j.name)).toEqual([expect.stringMatching(/^orders-v2-/)])
  })

  it('runs blue again on its own cluster from the same savepoint when green fails on the target', async () => {
    await deployBlue()
    const result = await upgrade(release('v2', { args: ['--fail-after', '1'] }), move())

    expect(result.outcome).toBe('rolled-back')
    expect(live(to)).toEqual([])
    const restarted = from.cluster.job(result.running[0]!.jobId)!
    expect(result.running).toMatchObject([
      {
        role: 'blue-restarted',
        jobId: restarted.id,
        state: 'RUNNING',
        cluster: from.url,
        subtasksRunning: true,
      },
    ])
    expect(restarted.restoredFrom?.path).toBe(result.savepointPath)
    expect(result.summary).toContain(`on ${from.url}`)
    // The next release rolls back to the restarted blue, on the first cluster.
    expect(await releases.read('orders')).toMatchObject({ jobId: restarted.id, flinkUrl: from.url })
  })

  it('keeps blue running on its cluster until green is verified on the target (blue-green)', async () => {
    const blueId = await deployBlue()
    const state = createMemoryStateStore()
    const waiting = await upgrade(release('v2', { strategy: 'blue-green', manualPromotion: true }), {
      ...move(),
      store: state,
    })
    expect(waiting.outcome).toBe('awaiting-promotion')
    expect(live(from).map((j) => j.id)).toEqual([blueId])
    expect(live(to).map((j) => j.id)).toEqual([waiting.greenJobId])

    const promoted = await resume({ ...move(), store: state }, { type: 'PROMOTE' })
    expect(promoted.outcome).toBe('upgraded')
    expect(live(from)).toEqual([])
    expect(from.cluster.job(blueId)?.state).toBe('FINISHED')
    expect(live(to).map((j) => j.id)).toEqual([waiting.greenJobId])
  })

  it('resumes only with the target it started with', async () => {
    await deployBlue()
    const state = createMemoryStateStore()
    const stop = new AbortController()
    const first = upgrade(release('v2'), {
      ...move(),
      store: state,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'step-entered' && e.step === 'verifyingGreen') stop.abort()
      },
    })
    expect((await first).error?.code).toBe('CANCELLED')

    await expect(resume({ client: blueClient, releases, store: state })).rejects.toThrow(
      `this run moves the job from ${from.url} to ${to.url}; give that target cluster`,
    )
    const done = await resume({ ...move(), store: state })
    expect(done.outcome).toBe('upgraded')
    expect(live(from)).toEqual([])
    expect(live(to).map((j) => j.id)).toEqual([done.greenJobId])
  })
})

describe('a move refused before blue is touched', () => {
  async function refused(options: UpgradeOptions, runtime: UpgradeRuntime, blueId: string) {
    const result = await upgrade(options, runtime)
    expect(result.outcome).toBe('aborted-blue-untouched')
    expect(result.savepointPath).toBeUndefined()
    expect(from.cluster.job(blueId)?.state).toBe('RUNNING')
    expect(live(to)).toEqual([])
    return result.error!
  }

  it('refuses the same cluster as target, before any request', async () => {
    const before = from.requests.length
    await expect(
      upgrade(release('v2'), move({ target: createFlinkClient({ baseUrl: `${from.url}/` }) })),
    ).rejects.toThrow(/the target cluster .* is the cluster blue runs on/)
    expect(from.requests.length).toBe(before)
  })

  it('recognises blue cluster behind a second URL by its TaskManagers', async () => {
    const served = await serveFakeFlink({ version: '1.20.5', savepointDir: SAVEPOINTS })
    const port = new URL(served.url).port
    const [blue, alias] = [`http://127.0.0.1:${port}`, `http://localhost:${port}`].map((baseUrl) =>
      createFlinkClient({ baseUrl }),
    )
    try {
      await upgrade(release('v1'), { client: blue!, releases })
      const result = await upgrade(release('v2'), { client: blue!, target: alias!, releases })
      expect(result.outcome).toBe('aborted-blue-untouched')
      expect(result.error?.message).toBe(
        `The target http://localhost:${port} is blue's own cluster http://127.0.0.1:${port} (same TaskManagers); leave out the target to upgrade in place`,
      )
      expect(served.cluster.jobs().filter((j) => j.state === 'RUNNING')).toHaveLength(1)
    } finally {
      await Promise.all([blue!.close(), alias!.close()])
      await served.close()
    }
  })

  it('names a target that does not answer', async () => {
    const blueId = await deployBlue()
    const gone = createFlinkClient({ baseUrl: 'http://fake-flink-999.test:8081', retry: { retries: 0 } })
    const error = await refused(release('v2'), move({ target: gone }), blueId)
    expect(error).toMatchObject({ step: 'preflight', code: 'PREFLIGHT_FAILED' })
    expect(error.message).toContain('The target cluster http://fake-flink-999.test:8081 does not answer')
  })

  it('refuses a target without the slots green needs', async () => {
    const blueId = await deployBlue()
    await to.stop()
    to = await fakeCluster('2.3.0', { slotsPerTaskManager: 0 })
    const full = createFlinkClient({ baseUrl: to.url })
    const error = await refused(release('v2'), move({ target: full }), blueId)
    expect(error.message).toBe(`The target cluster ${to.url} has 0 free slots; green needs 1`)
    await full.close()
  })

  it('refuses a savepoint directory on local disk unless the user insists', async () => {
    const blueId = await deployBlue()
    const local = { savepointDir: 'file:///var/flink/savepoints' }
    const error = await refused(release('v2', local), move(), blueId)
    expect(error.message).toMatch(/file:\/\/\/var\/flink\/savepoints is on each cluster's own disk/)

    const insisted = await upgrade(release('v2', { ...local, allowLocalSavepointDir: true }), move())
    expect(insisted.outcome).toBe('upgraded')
    expect(insisted.savepointPath).toMatch(/^file:\/\/\/var\/flink\/savepoints\//)
  })

  it('refuses a savepoint directory the target has no file system for', async () => {
    const blueId = await deployBlue()
    await to.stop()
    to = await fakeCluster('2.3.0', { fileSystems: ['file'] })
    const noS3 = createFlinkClient({ baseUrl: to.url })
    const error = await refused(release('v2'), move({ target: noS3 }), blueId)
    expect(error.message).toMatch(
      new RegExp(
        `^The target cluster ${to.url} cannot reach the savepoint directory ${SAVEPOINTS}: .*UnsupportedFileSystemSchemeException: Could not find a file system implementation for scheme 's3'`,
      ),
    )
    await noS3.close()
  })

  it('refuses the checkpoint fallback when the target cannot read blue checkpoints', async () => {
    const blueId = await deployBlue()
    await expect.poll(() => from.cluster.job(blueId)?.latestCompleted).toBeTruthy()
    const fallback = { checkpointFallbackMaxAgeMs: 60_000 }
    const error = await refused(release('v2', fallback), move(), blueId)
    expect(error.message).toBe(
      `The checkpoint fallback could start green from blue's checkpoints in file:/tmp/fake-flink/checkpoints/${blueId}, ` +
        `which the target ${to.url} cannot read (each cluster's own disk). Keep checkpoints on storage both reach, or leave out the fallback`,
    )
  })

  it('accepts the checkpoint fallback with checkpoints on storage both clusters reach', async () => {
    await Promise.all([from.stop(), to.stop()])
    const s3Checkpoints = { config: { 'execution.checkpointing.dir': 's3://savepoints/checkpoints' } }
    from = await fakeCluster('1.20.5', s3Checkpoints)
    to = await fakeCluster('2.3.0', s3Checkpoints)
    blueClient = createFlinkClient({ baseUrl: from.url })
    targetClient = createFlinkClient({ baseUrl: to.url })
    const blueId = await deployBlue()
    await expect.poll(() => from.cluster.job(blueId)?.latestCompleted?.externalPath).toMatch(/^s3:/)
    const result = await upgrade(release('v2', { checkpointFallbackMaxAgeMs: 60_000 }), move())
    expect(result.outcome).toBe('upgraded')
  })

  it('refuses a move to an older Flink', async () => {
    await from.stop()
    from = await fakeCluster('2.3.0')
    blueClient = createFlinkClient({ baseUrl: from.url })
    await to.stop()
    to = await fakeCluster('1.20.5')
    targetClient = createFlinkClient({ baseUrl: to.url })
    const blueId = await deployBlue()
    const error = await refused(release('v2'), move(), blueId)
    expect(error.message).toBe(
      "Cannot move the job: the target runs Flink 1.20.5, older than blue's 2.3.0: Flink restores savepoints only in the same or a later version",
    )
  })
})
