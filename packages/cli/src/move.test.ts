/**
 * `--to-flink-url` as a user runs it: a child process moving a job between two fakes on loopback that share
 * savepoint storage (as two clusters share a bucket). Bad settings of the target exit 2 before anything is
 * sent; a move says where each job runs; `status` shows both clusters; `resume` needs the target again.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Snapshot } from '@flink-deploy/core/testing'
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type CliRun, fakeJar, ndjson, runCli, startCli, tempDir } from './test-kit.ts'

const SAVEPOINTS = 's3://savepoints/flink'
let from: LoopbackFakeFlink
let to: LoopbackFakeFlink
let dir: string
let job: string
let n = 0

beforeAll(async () => {
  const storage = new Map<string, Snapshot>()
  const fake = (version: string) =>
    serveFakeFlink({ version, savepointDir: SAVEPOINTS, storage, timing: { programSecondMs: 20 } })
  ;[from, to] = await Promise.all([fake('1.20.5'), fake('2.3.0')])
})
afterAll(async () => {
  await Promise.all([from?.close(), to?.close()])
})
beforeEach(() => {
  dir = tempDir()
  job = `orders-${++n}`
})

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: dir, env: { FLINK_DEPLOY_FLINK_URL: from.url, ...env } })
const explain = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n---\n${run.stderr}`
const live = (fake: LoopbackFakeFlink) =>
  fake.cluster.jobs().filter((j) => j.name === job && !['FINISHED', 'CANCELED', 'FAILED'].includes(j.state))

function release(build: string, stabilisation = '150ms'): string[] {
  const jar = fakeJar(dir, `${job}-${build}.jar`, `${job}-${build}`)
  const args = ['--name', job, '--release', build].flatMap((a) => ['--arg', a])
  return [
    '--job-name',
    job,
    '--jar',
    jar,
    ...args,
    '--verify-stabilisation',
    stabilisation,
    '--verify-timeout',
    '5s',
  ]
}

async function deployV1(): Promise<string> {
  const run = await cli(['upgrade', ...release('v1'), '--json'])
  expect(run.code, explain(run)).toBe(0)
  const id = ndjson(run.stdout).at(-1)!.greenJobId as string
  await expect.poll(() => from.cluster.job(id)?.stateCount() ?? 0).toBeGreaterThan(50)
  return id
}

describe('upgrade --to-flink-url', { timeout: 30_000 }, () => {
  it('moves the job: green runs on the target, the result names both clusters', async () => {
    await deployV1()
    const run = await cli(['upgrade', ...release('v2'), '--to-flink-url', to.url, '--json'])
    expect(run.code, explain(run)).toBe(0)
    const result = ndjson(run.stdout).at(-1)!
    expect(result).toMatchObject({
      outcome: 'upgraded',
      clusters: { blue: from.url, green: to.url },
      running: [{ role: 'green', cluster: to.url }],
    })
    expect(live(from)).toEqual([])
    expect(live(to).map((j) => j.id)).toEqual([result.greenJobId])
    expect(to.cluster.job(result.greenJobId as string)?.restoredFrom?.path).toBe(result.savepointPath)
  })

  it('says in plain output that the job moves, and the version change', async () => {
    await deployV1()
    const run = await cli(['upgrade', ...release('v2'), '--to-flink-url', to.url, '--dry-run'])
    expect(run.code, explain(run)).toBe(0)
    expect(run.stdout).toContain(`on ${from.url}, moving it to ${to.url}`)
    expect(run.stdout).toContain(`move the job from ${from.url} (Flink 1.20.5) to ${to.url} (Flink 2.3.0)`)
    expect(run.stdout).toMatch(/warning +Flink 2.0 moved from Kryo 2 to Kryo 5/)
  })

  it('takes the target from a YAML config file, and names its line when it is wrong', async () => {
    await deployV1()
    writeFileSync(join(dir, 'move.yaml'), `to-flink-url: ${to.url}\nto-insecure: false\n`)
    const run = await cli(['upgrade', ...release('v2'), '--config', 'move.yaml', '--dry-run'])
    expect(run.code, explain(run)).toBe(0)
    expect(run.stdout).toContain(`moving it to ${to.url}`)
    writeFileSync(join(dir, 'bad.yaml'), 'job-name: x\nto-flink-url: flink-2:8081\n')
    const bad = await cli(['upgrade', ...release('v2'), '--config', 'bad.yaml'])
    expect(bad.code, explain(bad)).toBe(2)
    expect(bad.stderr).toMatch(/bad\.yaml:2: to-flink-url: /)
  })

  it('refuses the same cluster, or target settings without a target, before anything is sent', async () => {
    const before = from.requests.length
    const same = await cli(['upgrade', ...release('v2'), '--to-flink-url', `${from.url}/`])
    expect(same.code, explain(same)).toBe(2)
    expect(same.stderr).toContain(
      `--to-flink-url: the target cluster ${from.url} is the cluster blue runs on`,
    )
    const stray = await cli(['upgrade', ...release('v2')], { FLINK_DEPLOY_TO_TOKEN: 'secret-token-1234' })
    expect(stray.code, explain(stray)).toBe(2)
    expect(stray.stderr).toContain('FLINK_DEPLOY_TO_TOKEN: needs --to-flink-url, the target cluster')
    expect(stray.stderr).not.toContain('secret-token-1234')
    const basic = await cli(['upgrade', ...release('v2'), '--to-flink-url', to.url, '--to-username', 'u'])
    expect(basic.stderr).toContain(
      '--to-username: basic auth needs --to-password (or FLINK_DEPLOY_TO_PASSWORD) too',
    )
    expect(from.requests.length).toBe(before)
  })

  it('resumes a move only with its target, and finishes it', async () => {
    await deployV1()
    const running = startCli(['upgrade', ...release('v2', '2s'), '--to-flink-url', to.url, '--json'], {
      cwd: dir,
      env: { FLINK_DEPLOY_FLINK_URL: from.url },
    })
    await running.waitFor(/"step":"verifyingGreen"/)
    running.child.kill('SIGKILL')
    await running.done

    const without = await cli(['resume', '--job-name', job])
    expect(without.code, explain(without)).toBe(2)
    expect(without.stderr).toContain(
      `this run moves the job from ${from.url} to ${to.url}; give that target cluster`,
    )
    const resumed = await cli(['resume', '--job-name', job, '--to-flink-url', to.url, '--json'])
    expect(resumed.code, explain(resumed)).toBe(0)
    expect(live(from)).toEqual([])
    expect(live(to)).toHaveLength(1)
  })

  it('status shows both clusters', async () => {
    await deployV1()
    const run = await cli(['status', '--job-name', job, '--to-flink-url', to.url, '--json'])
    expect(run.code, explain(run)).toBe(0)
    const status = JSON.parse(run.stdout)
    expect(status).toMatchObject({ flinkUrl: from.url, flinkVersion: '1.20.5', jobs: [{ name: job }] })
    expect(status.target).toMatchObject({ flinkUrl: to.url, flinkVersion: '2.3.0', jobs: [] })
    const plain = await cli(['status', '--job-name', job, '--to-flink-url', to.url])
    expect(plain.stdout).toMatch(
      new RegExp(`Flink 1.20.5 at ${from.url}[\\s\\S]*Target cluster:\\nFlink 2.3.0 at ${to.url}`),
    )
  })
})
