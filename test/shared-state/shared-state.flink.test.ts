/**
 * Issue 10's acceptance on real Flink: runners on separate working directories (nothing in common but the
 * store URL) share one job's run state, lock and release record in a real S3 server (moto), and Flink writes
 * its savepoints to the same server through its flink-s3-fs-hadoop plugin.
 *
 *   A deploys v1; B ships a release that fails verification and rolls back to v1 from the record in the
 *   bucket; C sees the run in `status`; two runs started at once: one proceeds, the other is refused with the
 *   holder; the one that proceeded is SIGKILLed, its lease expires, and `resume` from a fourth directory
 *   finishes the upgrade.
 */
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createFlinkClient, type FlinkClient, openStateStore } from '@flink-deploy/core'
import {
  buildExampleJob,
  type FlinkCluster,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { type S3Server, startS3Server } from '@flink-deploy/local-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, ndjson, runCli, startCli, tempDir } from '../../packages/cli/src/test-kit.ts'

const BUCKET = 'deploy-state'
const STORE = `s3://${BUCKET}/flink-deploy`
const LEASE = '4s'

for (const version of selectedFlinkVersions()) {
  describe(`shared state on S3 with real Flink ${version}`, () => {
    let s3: S3Server
    let cluster: FlinkCluster
    let client: FlinkClient
    let built: string
    let env: Record<string, string>
    let v1JobId: string

    /** A runner's own working directory with its own build of the jar (same content, another path). */
    function runnerDir(name: string): { cwd: string; jar: string } {
      const cwd = tempDir(`flink-deploy-runner-${name}-`)
      mkdirSync(join(cwd, 'build'))
      copyFileSync(built, join(cwd, 'build', 'orders.jar'))
      return { cwd, jar: 'build/orders.jar' }
    }
    const upgradeArgs = (jar: string, release: string, extra: string[] = [], stable = '2s') => [
      'upgrade',
      '--job-name',
      'orders',
      '--jar',
      jar,
      '--args-json',
      JSON.stringify(['--name', 'orders', '--release', release, '--rate', '200', ...extra]),
      '--verify-stabilisation',
      stable,
      '--verify-timeout',
      '90s',
      '--lock-lease',
      LEASE,
      '--json',
    ]
    const result = (run: CliRun) => ndjson(run.stdout).at(-1)!
    const liveJobs = async () => (await client.jobs.overview()).jobs.filter((j) => j.state === 'RUNNING')

    beforeAll(async () => {
      s3 = await startS3Server({ buckets: [BUCKET] })
      ;[cluster, built] = await Promise.all([
        startFlinkCluster({
          version,
          s3: {
            endpoint: s3.endpoint,
            accessKey: s3.accessKeyId,
            secretKey: s3.secretAccessKey,
            bucket: BUCKET,
          },
        }),
        buildExampleJob(version),
      ])
      client = createFlinkClient({ baseUrl: cluster.url })
      env = { ...s3.env(), FLINK_DEPLOY_FLINK_URL: cluster.url, FLINK_DEPLOY_STATE_STORE: STORE }
    })
    afterAll(async () => {
      await client?.close()
      await cluster?.stop()
      await s3?.stop()
    })

    it('runner A deploys v1 with its state in the bucket', async () => {
      const a = runnerDir('a')
      const run = await runCli(upgradeArgs(a.jar, 'v1'), { cwd: a.cwd, env, timeoutMs: 150_000 })
      expect(run.code, run.stdout + run.stderr).toBe(0)
      v1JobId = result(run).greenJobId as string
      const keys = await s3.listKeys(BUCKET, 'flink-deploy/')
      expect(keys).toEqual(['flink-deploy/jobs/orders/release.json', 'flink-deploy/jobs/orders/run.json'])
    })

    it('runner B, sharing nothing but the store, rolls a failing release back to v1 from the record (exit 3)', async () => {
      // v1 completes a checkpoint first (every 2 s on these clusters).
      await new Promise((resolve) => setTimeout(resolve, 3_000))
      const b = runnerDir('b')
      // The release fails a second after it starts: well inside a 4 s stabilisation window.
      const failing = upgradeArgs(b.jar, 'v2', ['--fail-after', '1', '--restart-attempts', '0'], '4s')
      const run = await runCli(failing, {
        cwd: b.cwd,
        env,
        timeoutMs: 170_000,
      })
      expect(run.code, run.stdout + run.stderr).toBe(3)
      const r = result(run)
      expect(r).toMatchObject({
        outcome: 'rolled-back',
        blueJobId: v1JobId,
        stateStore: `${STORE}/jobs/orders/run.json`,
      })
      expect(r.savepointPath).toMatch(new RegExp(`^s3://${BUCKET}/savepoints/`))
      const live = await liveJobs()
      expect(live).toHaveLength(1)
      const restarted = (r.running as { role: string; jobId: string }[]).find(
        (j) => j.role === 'blue-restarted',
      )!
      expect(live[0]!.jid).toBe(restarted.jobId)
      const stats = await client.checkpoints.statistics({ jobid: restarted.jobId })
      expect(stats.latest.restored?.external_path).toBe(r.savepointPath)
      // v1 runs again as the bucket's release record said, and the record now follows it.
      const storage = await openStateStore(STORE, { job: 'orders', ...s3.clientConfig() })
      const record = await storage.releases.read('orders')
      await storage.close()
      expect(record).toMatchObject({ jobId: restarted.jobId, programArgs: expect.arrayContaining(['v1']) })
    })

    it('runner C sees the run in status from a third directory', async () => {
      const c = tempDir('flink-deploy-runner-c-')
      const run = await runCli(['status', '--job-name', 'orders', '--json'], {
        cwd: c,
        env,
        timeoutMs: 30_000,
      })
      expect(run.code, run.stderr).toBe(0)
      const status = JSON.parse(run.stdout)
      expect(status.stored).toHaveLength(1)
      expect(status.stored[0]).toMatchObject({
        job: 'orders',
        run: { status: 'done', outcome: 'rolled-back', blueJobId: v1JobId },
      })
      expect(status.stored[0].run.savepointPath).toMatch(/^s3:\/\//)
      expect(status.stored[0].lock).toBeUndefined()
      const human = await runCli(['status', '--job-name', 'orders'], { cwd: c, env, timeoutMs: 30_000 })
      expect(human.stdout).toContain(`Runs in ${STORE}`)
      expect(human.stdout).toMatch(/last run\s+\S+ \(stop-and-restart\): ended rolled-back/)
    })

    it('two runs at once: one proceeds, the other is refused with the holder; a killed run is resumed elsewhere', async () => {
      const [p, q] = [runnerDir('p'), runnerDir('q')]
      const first = startCli(upgradeArgs(p.jar, 'v2'), {
        cwd: p.cwd,
        env: { ...env, FLINK_DEPLOY_LOCK_OWNER: 'runner P' },
        timeoutMs: 170_000,
      })
      const second = startCli(upgradeArgs(q.jar, 'v2'), {
        cwd: q.cwd,
        env: { ...env, FLINK_DEPLOY_LOCK_OWNER: 'runner Q' },
        timeoutMs: 170_000,
      })
      const loser = await Promise.race([first.done.then(() => first), second.done.then(() => second)])
      const refused = await loser.done
      const winner = loser === first ? second : first
      const winnerName = loser === first ? 'runner Q' : 'runner P'
      expect(refused.code, refused.stdout + refused.stderr).toBe(6)
      const error = ndjson(refused.stdout).at(-1)!
      expect(error).toMatchObject({ type: 'error', code: 'UPGRADE_LOCKED', exitCode: 6 })
      expect(error.message).toMatch(
        new RegExp(
          `held by ${winnerName} \\(pid \\d+ on .+\\) since \\S+, its lease expires at \\S+ unless renewed`,
        ),
      )
      expect(error.message).toContain('flink-deploy unlock --state-store')

      // The winner is killed mid-run, once green runs and is being verified.
      await winner.waitFor(/"step":"verifyingGreen"/, 'stdout', 120_000)
      winner.child.kill('SIGKILL')
      await winner.done
      const r = tempDir('flink-deploy-runner-r-')
      const early = await runCli(['resume', '--job-name', 'orders', '--json'], {
        cwd: r,
        env,
        timeoutMs: 30_000,
      })
      expect(early.code, early.stdout + early.stderr).toBe(6)
      // After the lease expires, resume from yet another directory takes it over and finishes.
      await new Promise((resolve) => setTimeout(resolve, 4_500))
      const resumed = await runCli(['resume', '--job-name', 'orders', '--json'], {
        cwd: r,
        env,
        timeoutMs: 150_000,
      })
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      const done = result(resumed)
      expect(done.outcome).toBe('upgraded')
      expect(done.savepointPath).toMatch(/^s3:\/\//)
      const live = await liveJobs()
      expect(live.map((j) => j.jid)).toEqual([done.greenJobId])
      expect(await s3.listKeys(BUCKET, 'flink-deploy/jobs/orders/lock.json')).toEqual([])
    })
  })
}
