/**
 * Manifests on the fake Flink: loading with errors that name the file, line and job; plan and apply of
 * several jobs in waves, only what changed being upgraded; a failure stopping the later waves.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { fileRunStorage } from '../store/run-storage.ts'
import { type InProcessFakeFlink, startFakeFlink, startWebhookReceiver } from '../testing/index.ts'
import { apply } from './apply.ts'
import { upgradeOptionsOf } from './job-options.ts'
import { loadManifest, ManifestInvalidError } from './load-manifest.ts'
import { resolvedJobs } from './manifest.ts'
import { plan } from './plan.ts'

let dir: string
let fake: InProcessFakeFlink
let client: FlinkClient

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flink-deploy-fleet-'))
  for (const name of ['orders', 'payments', 'audit'])
    writeFileSync(join(dir, `${name}.jar`), `PK\x03\x04${name}`)
  fake = await startFakeFlink({ version: '2.3.0', slotsPerTaskManager: 32, timing: { programSecondMs: 20 } })
  client = createFlinkClient({ baseUrl: fake.url })
})
afterEach(async () => {
  await client.close()
  await fake.stop()
})

function manifest(text: string): string {
  const file = join(dir, 'flink-deploy.yaml')
  writeFileSync(file, text)
  return file
}

/** Two jobs of wave 1 with quick verification; more default lines, and more lines for payments, as given. */
const TWO = (defaults = '', payments = '') => `
defaults:
  verify-stabilisation: 150ms
  verify-timeout: 5s
${defaults}jobs:
  - job-name: orders
    jar: orders.jar
    args: [--name, orders, --release, v1]
  - job-name: payments
    jar: payments.jar
${payments}    args: [--name, payments, --release, v1]
`

const THREE = (auditRelease = 'v1', extra = '') => `${TWO()}  - job-name: audit
    jar: audit.jar
    wave: 2
    args: [--name, audit, --release, ${auditRelease}${extra}]
`

const runtime = () => ({
  client,
  baseDir: dir,
  storageFor: (job: string) => fileRunStorage(join(dir, '.flink-deploy', `${job}.json`)),
})

describe('loading a manifest', () => {
  it.each([
    [
      'an unknown key',
      'jobs:\n  - job-name: orders\n    jar: orders.jar\n    paralelism: 2\n',
      4,
      'job "orders", paralelism: unknown key "paralelism"; did you mean "parallelism"?',
    ],
    [
      'a duplicate job name',
      'jobs:\n  - job-name: orders\n    jar: orders.jar\n  - job-name: orders\n    jar: payments.jar\n',
      4,
      'job "orders", job-name: duplicate job name "orders" (also job 1)',
    ],
    [
      'a missing jar',
      'jobs:\n  - job-name: orders\n    jar: build/missing.jar\n',
      3,
      'job "orders", jar: no file at build/missing.jar',
    ],
    [
      'a bad value',
      'jobs:\n  - job-name: orders\n    jar: orders.jar\n    parallelism: -2\n',
      4,
      'job "orders", parallelism: Too small: expected number to be >0',
    ],
    [
      'a bad duration in defaults',
      'defaults:\n  verify-timeout: soon\njobs:\n  - job-name: orders\n    jar: orders.jar\n',
      2,
      'verify-timeout: expected a duration such as 500ms, 30s, 5m, got "soon"',
    ],
    ['broken YAML', 'jobs:\n  - job-name: orders\n   jar: orders.jar\n', 3, ''],
  ])('%s fails before anything is sent, naming the file, line and job', async (_, text, line, message) => {
    const file = manifest(text)
    const error = await loadManifest(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ManifestInvalidError)
    expect((error as ManifestInvalidError).line).toBe(line)
    expect((error as Error).message).toContain(`${file}:${line}: ${message}`)
    expect(fake.cluster.jars()).toHaveLength(0)
  })
})

describe('a manifest job as upgrade options', () => {
  it('accept-duplicates-and-fencing reaches the upgrade options', () => {
    const job = { 'job-name': 'orders', jar: 'orders.jar', 'accept-duplicates-and-fencing': true }
    expect(upgradeOptionsOf(job, '/deploy')).toMatchObject({ acceptDuplicatesAndFencing: true })
  })

  it('keep-savepoints reaches the upgrade options', async () => {
    const file = manifest('jobs:\n  - job-name: orders\n    jar: orders.jar\n    keep-savepoints: 4\n')
    const [job] = (await loadManifest(file)).manifest.jobs
    expect(job).toMatchObject({ 'keep-savepoints': 4 })
    const options = upgradeOptionsOf({ 'job-name': 'orders', jar: 'orders.jar', 'keep-savepoints': 4 }, '/d')
    expect(options).toMatchObject({ keepSavepoints: 4 })
  })
})

describe('plan and apply', () => {
  it('applies three jobs, then plans nothing; a changed argument upgrades only that job', async () => {
    const first = await loadManifest(manifest(THREE()))
    const before = await plan(first.manifest, runtime())
    expect(before.jobs.map((j) => [j.job, j.action, j.wave])).toEqual([
      ['orders', 'create', 1],
      ['payments', 'create', 1],
      ['audit', 'create', 2],
    ])
    const order: string[] = []
    const applied = await apply(first.manifest, {
      ...runtime(),
      onJob: (job, phase) => order.push(`${phase} ${job}`),
    })
    expect(applied.ok).toBe(true)
    expect(applied.jobs.map((j) => j.status)).toEqual(['changed', 'changed', 'changed'])
    // Wave 2 starts only once wave 1 has ended.
    expect(order.indexOf('started audit')).toBeGreaterThan(
      Math.max(order.indexOf('ended orders'), order.indexOf('ended payments')),
    )
    const ids = Object.fromEntries(applied.jobs.map((j) => [j.job, j.result!.greenJobId]))

    const again = await plan(first.manifest, runtime())
    expect(again.pending).toBe(false)
    expect(again.jobs.map((j) => j.action)).toEqual(['unchanged', 'unchanged', 'unchanged'])

    const changed = await loadManifest(manifest(THREE('v2')))
    const next = await plan(changed.manifest, runtime())
    expect(next.jobs.map((j) => j.action)).toEqual(['unchanged', 'unchanged', 'upgrade'])
    expect(next.jobs[2]!.changes).toEqual([
      'args: ["--name","audit","--release","v1"] → ["--name","audit","--release","v2"]',
    ])
    const second = await apply(changed.manifest, runtime())
    expect(second.jobs.map((j) => j.status)).toEqual(['unchanged', 'unchanged', 'changed'])
    const live = fake.cluster.jobs().filter((j) => j.state === 'RUNNING')
    expect(live.map((j) => j.id).sort()).toEqual(
      [ids.orders, ids.payments, second.jobs[2]!.result!.greenJobId].sort(),
    )
  })

  it('a cancelled apply stops its jobs at a safe point and starts no other; apply again resumes them', async () => {
    const loaded = await loadManifest(manifest(THREE()))
    const controller = new AbortController()
    const cancelled = await apply(loaded.manifest, {
      ...runtime(),
      concurrency: 1,
      signal: controller.signal,
      onEvent: (job, event) => {
        if (job === 'orders' && event.type === 'step-entered' && event.step === 'verifyingGreen')
          controller.abort()
      },
    })
    expect(cancelled.jobs.map((j) => [j.job, j.status])).toEqual([
      ['orders', 'failed'],
      ['payments', 'skipped'],
      ['audit', 'skipped'],
    ])
    expect(cancelled.jobs[0]!.error?.code).toBe('CANCELLED')
    const next = await plan(loaded.manifest, runtime())
    expect(next.jobs.map((j) => j.action)).toEqual(['resume', 'create', 'create'])
    const resumed = await apply(loaded.manifest, runtime())
    expect(resumed.jobs.map((j) => j.status)).toEqual(['changed', 'changed', 'changed'])
    expect(resumed.jobs[0]!.result?.greenJobId).toBe(cancelled.jobs[0]!.result?.greenJobId)
  })

  it('a job failing in wave 1 stops wave 2, and the report says which jobs changed', async () => {
    const text = THREE().replace(
      '--name, payments, --release, v1]',
      '--name, payments, --release, v1, --fail-after, 1, --restart-attempts, 0]',
    )
    const loaded = await loadManifest(manifest(text))
    const result = await apply(loaded.manifest, runtime())
    expect(result.ok).toBe(false)
    expect(result.jobs.map((j) => [j.job, j.status])).toEqual([
      ['orders', 'changed'],
      ['payments', 'failed'],
      ['audit', 'skipped'],
    ])
    expect(result.jobs[1]!.result?.outcome).toBe('aborted-blue-untouched')
    expect(fake.cluster.jobs().some((j) => j.name === 'audit')).toBe(false)
  })
})

describe('caught-up verification in a manifest', () => {
  it('defaults and job keys reach the check: a bound, a window, and a job that leaves it out', async () => {
    fake.cluster.sourceBacklog = () => 12
    const loaded = await loadManifest(
      manifest(
        TWO(
          '  verify-caught-up-max-pending: 100\n  verify-caught-up-window: 2s\n',
          '    verify-caught-up: false\n',
        ),
      ),
    )
    const [orders] = resolvedJobs(loaded.manifest)
    expect(upgradeOptionsOf(orders!, dir).verify).toMatchObject({
      caughtUpMaxPending: 100,
      caughtUpWindowMs: 2_000,
    })
    const applied = await apply(loaded.manifest, runtime())
    expect(applied.ok).toBe(true)
    const checks = (job: string) => applied.jobs.find((j) => j.job === job)!.result!.checks
    expect(checks('orders').find((c) => c.name === 'caught-up')?.message).toBe(
      'pending records 12 (was 12 at start), at most 100',
    )
    expect(checks('payments').map((c) => c.name)).not.toContain('caught-up')
  })
})

describe('declared settings in a manifest', { timeout: 20_000 }, () => {
  const asyncJobs = (release: string, defaults: string, orders: string) => `
defaults:
  verify-stabilisation: 150ms
  verify-timeout: 5s
${defaults}
jobs:
  - job-name: orders
    jar: orders.jar
    args: [--name, orders, --release, ${release}, --async-state]
${orders}
  - job-name: payments
    jar: payments.jar
    args: [--name, payments, --release, ${release}, --async-state]
`

  it('savepoint-format: native upgrades jobs on async state, from defaults or from the job', async () => {
    const first = await apply((await loadManifest(manifest(asyncJobs('v1', '', '')))).manifest, runtime())
    expect(first.jobs.map((j) => j.status)).toEqual(['changed', 'changed'])
    const fromDefaults = manifest(asyncJobs('v2', '  savepoint-format: native', ''))
    const second = await apply((await loadManifest(fromDefaults)).manifest, runtime())
    expect(second.jobs.map((j) => [j.status, j.result?.savepointFormat])).toEqual([
      ['changed', 'native'],
      ['changed', 'native'],
    ])
    // Only orders says native: payments' canonical savepoint is refused and it stays as it was.
    const fromJob = manifest(asyncJobs('v1', '', '    savepoint-format: native'))
    const third = await apply((await loadManifest(fromJob)).manifest, {
      ...runtime(),
      continueOnFailure: true,
    })
    expect(third.jobs.map((j) => [j.job, j.status, j.result?.savepointFormat])).toEqual([
      ['orders', 'changed', 'native'],
      ['payments', 'failed', 'canonical'],
    ])
  })

  it('a rollback setting without rollback-jar is refused with its line', async () => {
    const file = manifest('jobs:\n  - job-name: orders\n    jar: orders.jar\n    rollback-parallelism: 2\n')
    const error = await loadManifest(file).catch((e: unknown) => e)
    expect((error as Error).message).toContain(
      `${file}:4: job "orders", rollback-parallelism: needs rollback-jar`,
    )
  })
})

describe('notifications', () => {
  it("notify in defaults: apply posts the end of each job's run; plan (a dry run per job) posts nothing", async () => {
    const hook = await startWebhookReceiver()
    try {
      const notify = `  notify: ${hook.url}/fleet\n`
      const applied = await apply((await loadManifest(manifest(TWO(notify)))).manifest, runtime())
      expect(applied.ok).toBe(true)
      const bodies = hook.delivered().map((d) => JSON.parse(d.body) as { job: string; outcome: string })
      expect(bodies.map((b) => [b.job, b.outcome]).sort()).toEqual([
        ['orders', 'upgraded'],
        ['payments', 'upgraded'],
      ])
      const changed = await loadManifest(
        manifest(TWO(notify).replace('payments, --release, v1', 'payments, --release, v2')),
      )
      const planned = await plan(changed.manifest, runtime())
      expect(planned.jobs.map((j) => j.action)).toEqual(['unchanged', 'upgrade'])
      expect(hook.attempts).toHaveLength(2)
    } finally {
      await hook.close()
    }
  })

  it("apply's own webhooks (where secrets live) are told by every job's run, beside a job's own", async () => {
    const fleetHook = await startWebhookReceiver()
    const ordersHook = await startWebhookReceiver()
    try {
      const loaded = await loadManifest(
        manifest(
          TWO('', '').replace(
            '    jar: orders.jar\n',
            `    jar: orders.jar\n    notify: ${ordersHook.url}\n`,
          ),
        ),
      )
      const applied = await apply(loaded.manifest, {
        ...runtime(),
        notify: { urls: [fleetHook.url], secret: 'fleet-secret' },
      })
      expect(applied.ok).toBe(true)
      const jobs = (r: typeof fleetHook) =>
        r.delivered().map((d) => (JSON.parse(d.body) as { job: string }).job)
      expect(jobs(fleetHook).sort()).toEqual(['orders', 'payments'])
      expect(jobs(ordersHook)).toEqual(['orders'])
      for (const d of [...fleetHook.delivered(), ...ordersHook.delivered()])
        expect(d.headers['x-flink-deploy-signature']).toMatch(/^sha256=[0-9a-f]{64}$/)
    } finally {
      await fleetHook.close()
      await ordersHook.close()
    }
  })

  it('a job takes a list of webhooks of its own', () => {
    const job = {
      'job-name': 'orders',
      jar: 'orders.jar',
      notify: ['https://a.example', 'https://b.example'],
    }
    expect(upgradeOptionsOf(job, '/deploy')).toMatchObject({
      notify: { urls: ['https://a.example', 'https://b.example'] },
    })
  })
})
