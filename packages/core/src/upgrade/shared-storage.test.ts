/**
 * Upgrades whose state, lock and release records live in a shared object store (in memory here; the same
 * runs against the real S3 server are in test/object-store): runners on different machines see one job, and a
 * store that fails mid-run stops the run without losing anything.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { unreachable, withFaults } from '../object-store/faulty-object-store.ts'
import { jobKey } from '../object-store/job-keys.ts'
import { acquireLeaseLock, breakLeaseLock } from '../object-store/lease-lock.ts'
import { createMemoryObjectStore, type MemoryObjectStore } from '../object-store/memory-object-store.ts'
import { objectRunStorage } from '../object-store/object-run-storage.ts'
import { UpgradeLockedError } from '../store/errors.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from './options.ts'
import { summariseRun } from './run-summary.ts'
import { resume, type UpgradeRuntime, upgrade } from './run-upgrade.ts'

let dir: string
let fake: InProcessFakeFlink
let client: FlinkClient
let bucket: MemoryObjectStore

const quickVerify = { checkpoints: 1, stabilisationMs: 150, timeoutMs: 5_000 }
function release(build: string, extra: string[] = []): UpgradeOptions {
  // Each runner builds its own jar: only the content (and so the hash) is shared.
  const jar = join(mkdtempSync(join(dir, 'runner-')), `orders-${build}.jar`)
  writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return {
    jobName: 'orders',
    jar,
    args: ['--name', 'orders', '--release', build === 'v1' ? 'v1' : 'v2', ...extra],
    verify: quickVerify,
  }
}
/** A runner on its own machine: its own client of the shared store. */
function runner(extra: Partial<UpgradeRuntime> = {}) {
  const objects = withFaults(bucket)
  const runtime: UpgradeRuntime = { client, storage: objectRunStorage(objects, { job: 'orders' }), ...extra }
  return { objects, runtime }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flink-deploy-shared-'))
  fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
  client = createFlinkClient({ baseUrl: fake.url })
  bucket = createMemoryObjectStore('deploy-state')
})
afterEach(async () => {
  await client.close()
  await fake.stop()
})

async function deployV1(): Promise<string> {
  const first = await upgrade(release('v1'), runner().runtime)
  expect(first.outcome).toBe('upgraded')
  await expect.poll(() => fake.cluster.job(first.greenJobId!)?.stateCount() ?? 0).toBeGreaterThan(50)
  return first.greenJobId!
}

describe('shared state store', () => {
  it('runner B rolls back to the release runner A recorded, with nothing of A on its machine', async () => {
    const v1 = await deployV1()
    expect([...bucket.snapshot().keys()].sort()).toEqual([
      jobKey('orders', 'release.json'),
      jobKey('orders', 'run.json'),
    ])
    const result = await upgrade(
      release('v3', ['--fail-after', '1', '--restart-attempts', '0']),
      runner().runtime,
    )
    expect(result.outcome, JSON.stringify(result.error)).toBe('rolled-back')
    const restarted = result.running.find((r) => r.role === 'blue-restarted')!
    expect(fake.cluster.job(restarted.jobId)!.programArgs).toContain('v1')
    expect(fake.cluster.job(v1)!.state).toBe('FINISHED')
    // The lock is released and the stored run says what happened, for any third machine.
    expect(bucket.snapshot().has(jobKey('orders', 'lock.json'))).toBe(false)
    const stored = await objectRunStorage(bucket, { job: 'orders' }).state.read()
    // The record follows blue to its restarted job, so the next release can roll back to it again.
    expect(await objectRunStorage(bucket, { job: 'orders' }).releases.read('orders')).toMatchObject({
      jobId: restarted.jobId,
      savepointPath: result.savepointPath,
    })
    expect(summariseRun(stored!)).toMatchObject({
      status: 'done',
      outcome: 'rolled-back',
      savepointPath: result.savepointPath,
    })
  })

  it('a second runner is refused while the first holds the lease, naming the holder', async () => {
    const holder = await acquireLeaseLock(bucket, jobKey('orders', 'lock.json'), { owner: 'ci run 41' })
    const refused = await upgrade(release('v1'), runner().runtime).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(UpgradeLockedError)
    expect((refused as Error).message).toMatch(
      /held by ci run 41 \(pid \d+ on .+\) since .+, its lease expires at /,
    )
    expect(fake.cluster.jobs()).toHaveLength(0)
    await holder.release()
  })

  it('the store failing before anything changed aborts with blue untouched', async () => {
    const blue = await deployV1()
    const { objects, runtime } = runner()
    objects.faults = (op, key) =>
      op === 'put' && key.endsWith('run.json') ? unreachable(objects.location) : undefined
    const result = await upgrade(release('v2'), runtime)
    expect(result).toMatchObject({
      outcome: 'aborted-blue-untouched',
      error: { code: 'STATE_STORE_UNAVAILABLE' },
    })
    expect(result.running).toMatchObject([{ role: 'blue', jobId: blue, state: 'RUNNING' }])
    expect(fake.cluster.jobs().filter((j) => j.state === 'RUNNING')).toHaveLength(1)
  })

  it('a first deployment whose state cannot be written starts nothing and says so', async () => {
    const { objects, runtime } = runner()
    // Preflight's writes land; the one that would record entering green's start does not.
    let failing = false
    runtime.onEvent = (e) => {
      if (e.type === 'step-entered' && e.step === 'startingGreen') failing = true
    }
    objects.faults = (op) => (failing && op === 'put' ? unreachable(objects.location) : undefined)
    const result = await upgrade(release('v1'), runtime)
    expect(result.error).toMatchObject({ code: 'STATE_STORE_UNAVAILABLE', step: 'startingGreen' })
    expect(fake.cluster.jobs()).toHaveLength(0)
    expect(result.running).toEqual([])
    expect(result.outcome).toBe('aborted-blue-untouched')
  })

  it('the store failing once blue stopped: the run stops, names the savepoint, and resumes elsewhere', async () => {
    const blue = await deployV1()
    const { objects, runtime } = runner()
    // Every write until blue stopped lands; the one that would record the savepoint does not.
    let failing = false
    runtime.onEvent = (e) => {
      if (e.type === 'savepoint-taken') failing = true
    }
    objects.faults = (op) => (failing && op === 'put' ? unreachable(objects.location) : undefined)
    const result = await upgrade(release('v2'), runtime)
    expect(result.outcome).toBe('failed-needs-attention')
    expect(result.error).toMatchObject({ code: 'STATE_STORE_UNAVAILABLE', step: 'startingGreen' })
    expect(result.savepointPath).toMatch(/savepoint-/)
    expect(fake.cluster.job(blue)!.state).toBe('FINISHED')
    expect(fake.cluster.jobs().filter((j) => j.state === 'RUNNING')).toHaveLength(0)
    // The store is back; another machine resumes from the stored run (whose last write named the trigger).
    const resumed = await resume(runner().runtime)
    expect(resumed.outcome, JSON.stringify(resumed.error)).toBe('upgraded')
    expect(resumed.savepointPath).toBe(result.savepointPath)
    expect(resumed.running).toMatchObject([{ role: 'green', state: 'RUNNING' }])
  })

  it('a lost lock stops the run at its next safe point, and says what runs', async () => {
    await deployV1()
    const { runtime } = runner()
    runtime.storage = objectRunStorage(withFaults(bucket), { job: 'orders', leaseMs: 300 })
    let green = ''
    runtime.onEvent = (e) => {
      if (e.type === 'job-submitted') green = e.jobId
      if (e.type === 'step-entered' && e.step === 'verifyingGreen')
        // While green runs under verification, an operator unlocks and another run takes the job over. (The
        // run may notice the loss within milliseconds; before green runs, it would rightly report it CREATED.)
        void expect
          .poll(() => fake.cluster.job(green)?.state)
          .toBe('RUNNING')
          .then(() => breakLeaseLock(bucket, jobKey('orders', 'lock.json')))
          .then(() => acquireLeaseLock(bucket, jobKey('orders', 'lock.json'), { owner: 'other run' }))
    }
    const result = await upgrade(
      { ...release('v2'), verify: { ...quickVerify, stabilisationMs: 3_000 } },
      runtime,
    )
    expect(result.outcome).toBe('failed-needs-attention')
    expect(result.error).toMatchObject({ code: 'UPGRADE_LOCK_LOST', step: 'verifyingGreen' })
    // Green was just submitted when the lock went: it is starting or running, and the result says so.
    expect(result.running).toMatchObject([{ role: 'green', jobId: result.greenJobId }])
    expect(fake.cluster.job(result.greenJobId!)!.state).toMatch(/CREATED|INITIALIZING|RUNNING/)
    expect(result.savepointPath).toBeDefined()
  })
})
