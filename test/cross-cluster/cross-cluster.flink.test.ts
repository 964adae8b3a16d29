/**
 * Issue 14's acceptance on real Flink: the CLI moves a job from a Flink 1.20 cluster to a Flink 2.3 cluster
 * (`--to-flink-url`), with its savepoint on the S3 server both clusters share. Assertions are on the clusters
 * themselves: which jobs run where, where the new job restored from, and the example job's own count of the
 * events it holds in state (it continues across the move).
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, ndjson, runCli, startCli, tempDir } from '../../packages/cli/src/test-kit.ts'
import { countedAtLeast, exampleCounts } from '../upgrade/example-gauges.ts'
import {
  type ClusterSide,
  liveJobs,
  startTwoClusters,
  type TwoClusters,
  unfinishedJobs,
} from './two-clusters.ts'

const TEST_TIMEOUT = 300_000

describe('cross-cluster moves from Flink 1.20 to 2.3 with savepoints on S3', () => {
  let two: TwoClusters
  let from: ClusterSide
  let to: ClusterSide

  beforeAll(async () => {
    two = await startTwoClusters()
    ;({ from, to } = two)
  })
  afterAll(async () => {
    await two?.stop()
  })
  // Each test moves its own job; whatever a failed test left running must not take the next one's slots.
  afterEach(async () => {
    if (!two) return
    for (const side of [from, to]) {
      const { jobs } = await side.client.jobs.overview()
      for (const job of jobs.filter((j) => j.state === 'RUNNING' || j.state === 'RESTARTING'))
        await side.client.jobs.cancel({ jobid: job.jid }).catch(() => {})
    }
  })

  const upgradeArgs = (job: string, side: ClusterSide, release: string, programArgs: string[] = []) => [
    'upgrade',
    '--flink-url',
    from.url,
    '--job-name',
    job,
    '--jar',
    side.jar,
    '--args-json',
    JSON.stringify(['--name', job, '--release', release, '--rate', '200', ...programArgs]),
    '--verify-stabilisation',
    '4s',
    '--verify-timeout',
    '90s',
    '--json',
  ]
  /** `programArgs` go to the job (after --args-json), `flags` to flink-deploy. */
  const moveArgs = (job: string, release: string, programArgs: string[] = [], flags: string[] = []) => [
    ...upgradeArgs(job, to, release, programArgs),
    '--to-flink-url',
    to.url,
    ...flags,
  ]
  const result = (run: CliRun) => ndjson(run.stdout).at(-1)!
  const output = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n${run.stderr}`

  /** Deploys v1 on the first cluster and waits until it holds `min` events in state. */
  async function deployBlue(
    job: string,
    cwd: string,
    min = 400,
  ): Promise<{ jobId: string; counted: number }> {
    const run = await runCli(upgradeArgs(job, from, 'v1'), { cwd, env: two.env, timeoutMs: 150_000 })
    expect(run.code, output(run)).toBe(0)
    const jobId = result(run).greenJobId as string
    expect(await liveJobs(from, job)).toEqual([{ jid: jobId, state: 'RUNNING' }])
    return { jobId, counted: await countedAtLeast(from.client, jobId, min) }
  }

  /** The job restored from `savepointPath` and holds at least `counted` events it did not process itself. */
  async function expectRestored(side: ClusterSide, jobid: string, savepointPath: string, counted: number) {
    const stats = await side.client.checkpoints.statistics({ jobid })
    expect(stats.latest.restored).toMatchObject({ is_savepoint: true, external_path: savepointPath })
    const counts = await exampleCounts(side.client, jobid)
    expect(counts.stateCount - counts.processed).toBeGreaterThanOrEqual(counted)
  }

  /** The move ended upgraded: nothing of the job left on 1.20, green alone on 2.3 with blue's state. */
  async function expectMoved(
    job: string,
    r: Record<string, unknown>,
    blue: { jobId: string; counted: number },
  ) {
    expect(r).toMatchObject({
      outcome: 'upgraded',
      blueJobId: blue.jobId,
      clusters: { blue: from.url, green: to.url },
    })
    expect(await unfinishedJobs(from, job)).toEqual([])
    expect(await liveJobs(to, job)).toEqual([{ jid: r.greenJobId, state: 'RUNNING' }])
    await expectRestored(to, r.greenJobId as string, r.savepointPath as string, blue.counted)
  }

  it(
    'cross-cluster move from 1.20 to 2.3 verifies and the state continues',
    async () => {
      const cwd = tempDir('flink-deploy-cross-cluster-move-')
      const blue = await deployBlue('orders', cwd)

      const move = await runCli(moveArgs('orders', 'v2'), { cwd, env: two.env, timeoutMs: 200_000 })
      expect(move.code, output(move)).toBe(0)
      const r = result(move)
      expect(r).toMatchObject({ type: 'result', strategy: 'stop-and-restart' })
      await expectMoved('orders', r, blue)
      const savepointPath = r.savepointPath as string
      expect(savepointPath.startsWith(`${from.cluster.savepointDir}/savepoint-`), savepointPath).toBe(true)
      expect((await from.client.jobs.status({ jobid: blue.jobId })).status).toBe('FINISHED')
      const release = await to.client.vertices.metrics({
        jobid: r.greenJobId as string,
        vertexid: (await to.client.jobs.get({ jobid: r.greenJobId as string })).vertices.find((v) =>
          v.name.startsWith('counter'),
        )!.id,
        query: { get: ['0.counter.release'] },
      })
      expect(release).toEqual([{ id: '0.counter.release', value: 'v2' }])
    },
    TEST_TIMEOUT,
  )

  it(
    'cross-cluster move whose green fails rolls back to blue on the first cluster',
    async () => {
      const cwd = tempDir('flink-deploy-cross-cluster-rollback-')
      const blue = await deployBlue('payments', cwd)

      // Green throws two seconds after it starts and may not restart: verification sees it fail.
      const failing = moveArgs('payments', 'v2', ['--fail-after', '2', '--restart-attempts', '0'])
      const move = await runCli(failing, { cwd, env: two.env, timeoutMs: 200_000 })
      expect(move.code, output(move)).toBe(3)
      const r = result(move)
      expect(r).toMatchObject({
        outcome: 'rolled-back',
        blueJobId: blue.jobId,
        clusters: { blue: from.url, green: to.url },
      })
      const savepointPath = r.savepointPath as string
      expect(savepointPath.startsWith(`${from.cluster.savepointDir}/savepoint-`), savepointPath).toBe(true)

      expect(await unfinishedJobs(to, 'payments')).toEqual([])
      const live = await liveJobs(from, 'payments')
      expect(live).toHaveLength(1)
      const restarted = (r.running as { role: string; jobId: string }[]).find(
        (j) => j.role === 'blue-restarted',
      )
      expect(live[0]!.jid).toBe(restarted?.jobId)
      expect(live[0]!.jid).not.toBe(blue.jobId)
      await expectRestored(from, live[0]!.jid, savepointPath, blue.counted)
    },
    TEST_TIMEOUT,
  )

  it(
    'cross-cluster blue-green keeps blue on 1.20 running until green on 2.3 is verified',
    async () => {
      const cwd = tempDir('flink-deploy-cross-cluster-blue-green-')
      const blue = await deployBlue('refunds', cwd)

      const move = startCli(moveArgs('refunds', 'v2', [], ['--strategy', 'blue-green']), {
        cwd,
        env: two.env,
        timeoutMs: 200_000,
      })
      await move.waitFor(/"type":"step-entered".*"step":"verifyingGreen"/, 'stdout', 150_000)
      // Verification takes at least its 4 s stabilisation: both jobs run meanwhile, each on its cluster.
      expect(await liveJobs(from, 'refunds')).toEqual([{ jid: blue.jobId, state: 'RUNNING' }])
      expect(await unfinishedJobs(to, 'refunds')).toHaveLength(1)

      const done = await move.done
      expect(done.code, output(done)).toBe(0)
      const r = result(done)
      expect(r).toMatchObject({ strategy: 'blue-green' })
      await expectMoved('refunds', r, blue)
    },
    TEST_TIMEOUT,
  )

  it(
    'cross-cluster resume after a kill finishes the move on the second cluster',
    async () => {
      const cwd = tempDir('flink-deploy-cross-cluster-resume-')
      const blue = await deployBlue('invoices', cwd)

      const killed = startCli(moveArgs('invoices', 'v2'), { cwd, env: two.env, timeoutMs: 200_000 })
      await killed.waitFor(/"type":"step-entered".*"step":"verifyingGreen"/, 'stdout', 150_000)
      killed.child.kill('SIGKILL')
      expect((await killed.done).signal).toBe('SIGKILL')

      const resumed = await runCli(
        ['resume', '--flink-url', from.url, '--to-flink-url', to.url, '--job-name', 'invoices', '--json'],
        { cwd, env: two.env, timeoutMs: 200_000 },
      )
      expect(resumed.code, output(resumed)).toBe(0)
      const r = result(resumed)
      await expectMoved('invoices', r, blue)
      expect(r.savepointPath).toMatch(/^s3:\/\/savepoints\/savepoints\//)
    },
    TEST_TIMEOUT,
  )

  it(
    'cross-cluster refusals come before blue is touched: its own cluster by another name, a silent target, too few slots',
    async () => {
      const cwd = tempDir('flink-deploy-cross-cluster-refusals-')
      const blue = await deployBlue('ledger', cwd, 1)
      const alias = from.url.replace('127.0.0.1', 'localhost')
      const refusals = [
        {
          target: alias,
          flags: [],
          says: `The target ${alias} is blue's own cluster ${from.url} (same TaskManagers)`,
        },
        {
          target: 'http://127.0.0.1:9',
          flags: [],
          says: 'The target cluster http://127.0.0.1:9 does not answer',
        },
        { target: to.url, flags: ['--parallelism', '64'], says: `The target cluster ${to.url} has ` },
      ]
      for (const { target, flags, says } of refusals) {
        const args = [...upgradeArgs('ledger', to, 'v2'), '--to-flink-url', target, ...flags]
        const run = await runCli(args, { cwd, env: two.env, timeoutMs: 120_000 })
        expect(run.code, output(run)).toBe(4)
        expect(result(run)).toMatchObject({
          outcome: 'aborted-blue-untouched',
          running: [{ role: 'blue', jobId: blue.jobId, state: 'RUNNING', cluster: from.url }],
        })
        expect(String(result(run).summary)).toContain(says)
      }
      expect(await liveJobs(from, 'ledger')).toEqual([{ jid: blue.jobId, state: 'RUNNING' }])
      const stats = await from.client.checkpoints.statistics({ jobid: blue.jobId })
      expect(stats.latest.savepoint, 'no savepoint was taken').toBeFalsy()
      expect(await unfinishedJobs(to, 'ledger')).toEqual([])
    },
    TEST_TIMEOUT,
  )
})
