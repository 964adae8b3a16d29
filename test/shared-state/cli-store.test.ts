/**
 * The CLI with `--state-store` against the fake Flink on loopback and the real S3 server: bad store settings
 * fail before anything is sent to Flink, runs on separate working directories share one job, and an operator
 * can see and break a lock.
 */
import { describe, expect, it } from 'vitest'
import { type CliRun, fakeJar, ndjson, runCli, startCli, tempDir } from '../../packages/cli/src/test-kit.ts'
import { fakeFlinkAndS3 } from './fake-and-s3.ts'

const BUCKET = 'cli-state'
const servers = fakeFlinkAndS3(BUCKET)
let n = 0

const QUICK = ['--verify-stabilisation', '150ms', '--verify-timeout', '5s']
const explain = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n---\n${run.stderr}`

/** A runner: its own working directory and jar build, the shared store and cluster in its environment. */
function runner(job: string, store = `s3://${BUCKET}/runs`) {
  const cwd = tempDir('flink-deploy-store-runner-')
  const env = {
    ...servers.s3.env(),
    FLINK_DEPLOY_FLINK_URL: servers.fake.url,
    FLINK_DEPLOY_STATE_STORE: store,
  }
  const release = (build: string, extra: string[] = []) => [
    '--job-name',
    job,
    '--jar',
    fakeJar(cwd, `${job}.jar`, `${job}-${build}`),
    '--args-json',
    JSON.stringify(['--name', job, '--release', build === 'v1' ? 'v1' : 'v2', ...extra]),
    ...QUICK,
  ]
  return {
    cwd,
    release,
    cli: (args: string[], extra: Record<string, string> = {}) =>
      runCli(args, { cwd, env: { ...env, ...extra } }),
    start: (args: string[]) => startCli(args, { cwd, env }),
  }
}

describe('bad store settings fail before anything is sent to Flink', { timeout: 30_000 }, () => {
  it('a malformed URL (exit 2), naming the setting and what was expected', async () => {
    const r = runner(`orders-${++n}`, 'deploy-state/flink')
    const before = servers.fake.requests.length
    const run = await r.cli(['upgrade', ...r.release('v1')])
    expect(run.code, explain(run)).toBe(2)
    expect(run.stderr).toContain(
      'FLINK_DEPLOY_STATE_STORE: "deploy-state/flink" is not a URL; expected s3://<bucket>/<prefix>',
    )
    expect(servers.fake.requests.length).toBe(before)
  })

  it('a missing bucket (exit 2), before any request to Flink', async () => {
    const r = runner(`orders-${++n}`, 's3://missing-bucket/flink')
    const before = servers.fake.requests.length
    const run = await r.cli(['upgrade', ...r.release('v1'), '--json'])
    expect(run.code, explain(run)).toBe(2)
    expect(ndjson(run.stdout).at(-1)).toMatchObject({ type: 'error', code: 'STATE_STORE_UNAVAILABLE' })
    expect(run.stdout).toContain('the bucket does not exist')
    expect(servers.fake.requests.length).toBe(before)
  })

  it('--state-store with --state-file is refused', async () => {
    const r = runner(`orders-${++n}`)
    const run = await r.cli(['resume', '--job-name', 'x', '--state-file', 'x.json'])
    expect(run.code, explain(run)).toBe(2)
    expect(run.stderr).toContain('--state-file: give --state-file or FLINK_DEPLOY_STATE_STORE, not both')
  })
})

describe('runs on separate machines share the job through the store', { timeout: 60_000 }, () => {
  it('B rolls back to what A deployed; C sees it; a held lock is refused, shown, and broken with a warning', async () => {
    const job = `orders-${++n}`
    const [a, b, c] = [runner(job), runner(job), runner(job)]
    const deployed = await a.cli(['upgrade', ...a.release('v1'), '--json'])
    expect(deployed.code, explain(deployed)).toBe(0)
    const v1 = ndjson(deployed.stdout).at(-1)!.greenJobId as string
    await expect.poll(() => servers.fake.cluster.job(v1)?.stateCount() ?? 0).toBeGreaterThan(50)

    const failing = await b.cli([
      'upgrade',
      ...b.release('v3', ['--fail-after', '1', '--restart-attempts', '0']),
      '--json',
    ])
    expect(failing.code, explain(failing)).toBe(3)
    const rolledBack = ndjson(failing.stdout).at(-1)!
    expect(rolledBack).toMatchObject({ outcome: 'rolled-back', blueJobId: v1 })

    const status = await c.cli(['status', '--job-name', job, '--json'])
    expect(status.code, explain(status)).toBe(0)
    expect(JSON.parse(status.stdout).stored).toMatchObject([
      { job, run: { outcome: 'rolled-back', blueJobId: v1, savepointPath: rolledBack.savepointPath } },
    ])

    // A long verification holds the lock; another machine is refused and sees the holder.
    const holder = a.start([
      'upgrade',
      ...a.release('v2'),
      '--verify-stabilisation',
      '20s',
      '--verify-timeout',
      '30s',
      '--lock-owner',
      'pipeline A',
      '--json',
    ])
    await holder.waitFor(/"step":"verifyingGreen"/)
    const refused = await b.cli(['upgrade', ...b.release('v2')])
    expect(refused.code, explain(refused)).toBe(6)
    expect(refused.stderr).toMatch(
      /held by pipeline A \(pid \d+ on .+\) since .+, its lease expires at .+ unless renewed/,
    )
    const shown = await c.cli(['status', '--job-name', job])
    expect(shown.stdout).toMatch(/lock\s+held by pipeline A \(pid \d+ on .+\) since \S+, lease until \S+/)
    expect(shown.stdout).toMatch(/last run\s+\S+ \(stop-and-restart\): in progress at verifyingGreen/)

    const unlocked = await c.cli(['unlock', '--job-name', job])
    expect(unlocked.code, explain(unlocked)).toBe(0)
    expect(unlocked.stderr).toMatch(
      /warning: removed the lock held by pipeline A .*two runs may now change this job at once/,
    )
    // The holder learns at its next renewal that the lock is gone, and stops at a safe point.
    const ended = await holder.done
    expect(ended.code, explain(ended)).toBe(5)
    expect(ndjson(ended.stdout).at(-1)).toMatchObject({
      outcome: 'failed-needs-attention',
      error: { code: 'UPGRADE_LOCK_LOST' },
    })
    expect(ended.stdout + ended.stderr).not.toContain(servers.s3.secretAccessKey)
  })
})
