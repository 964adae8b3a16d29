/**
 * `savepoints list|prune` and `upgrade --keep-savepoints` as a user runs them: the CLI as a child process
 * against the fake Flink on loopback, with the example job as its default program.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type CliRun, fakeJar, ndjson, runCli, tempDir } from './test-kit.ts'

let fake: LoopbackFakeFlink
let dir: string
let job: string
let n = 0

beforeAll(async () => {
  fake = await serveFakeFlink({ version: '2.3.0', slotsPerTaskManager: 64, timing: { programSecondMs: 20 } })
})
afterAll(async () => {
  await fake?.close()
})
beforeEach(() => {
  dir = tempDir()
  job = `orders-${++n}`
})

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: dir, env: { FLINK_DEPLOY_FLINK_URL: fake.url, ...env } })
const explain = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n---\n${run.stderr}`

async function upgradeTo(build: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const jar = fakeJar(dir, `${job}-${build}.jar`, `${job}-${build}`)
  const release = build === 'v1' ? 'v1' : 'v2'
  const args = ['--name', job, '--release', release].flatMap((a) => ['--arg', a])
  const run = await cli(
    ['upgrade', '--job-name', job, '--jar', jar, ...args, '--verify-stabilisation', '100ms', '--json'],
    env,
  )
  expect(run.code, explain(run)).toBe(0)
  return ndjson(run.stdout).at(-1)!
}

/** A first deployment and three upgrades: the three savepoints, oldest first. */
async function threeSavepoints(): Promise<string[]> {
  const paths: string[] = []
  for (const build of ['v1', 'v2', 'v3', 'v4']) {
    const result = await upgradeTo(build)
    if (result.savepointPath) paths.push(result.savepointPath as string)
  }
  return paths
}

describe('savepoints', { timeout: 60_000 }, () => {
  it('list shows them newest first with the rollback target; prune --dry-run, then prune --keep', async () => {
    const [oldest, middle, newest] = await threeSavepoints()

    const list = await cli(['savepoints', 'list', '--job-name', job, '--json'])
    expect(list.code, explain(list)).toBe(0)
    const listed = ndjson(list.stdout)[0]!.savepoints as { path: string; rollbackTarget: boolean }[]
    expect(listed.map((s) => [s.path, s.rollbackTarget])).toEqual([
      [newest, true],
      [middle, false],
      [oldest, false],
    ])
    const table = await cli(['savepoints', 'list', '--job-name', job])
    expect(table.stdout).toMatch(/^AGE +SIZE +STATE +PATH +NOTE$/m)
    expect(table.stdout).toContain(`${newest}  rollback target`)

    const dry = await cli([
      'savepoints',
      'prune',
      '--job-name',
      job,
      '--keep',
      '1',
      '--max-age',
      '7d',
      '--dry-run',
    ])
    expect(dry.code, explain(dry)).toBe(0)
    expect(dry.stdout).toContain(`would dispose  ${oldest}`)
    expect(dry.stdout).toContain(`kept           ${newest}  (rollback target of the current release)`)
    expect(dry.stdout).toMatch(/To prune: flink-deploy savepoints prune .*--keep 1 --max-age 7d$/m)
    expect(fake.cluster.snapshot(oldest!)).toBeDefined()

    const prune = await cli(['savepoints', 'prune', '--job-name', job, '--keep', '1', '--json'])
    expect(prune.code, explain(prune)).toBe(0)
    const result = ndjson(prune.stdout).at(-1)!
    expect((result.disposed as string[]).sort()).toEqual([oldest, middle].sort())
    expect(fake.cluster.snapshot(oldest!)).toBeUndefined()
    expect(fake.cluster.snapshot(newest!)).toBeDefined()

    const after = await cli(['savepoints', 'list', '--job-name', job, '--json'])
    const states = ndjson(after.stdout)[0]!.savepoints as { state: string }[]
    expect(states.map((s) => s.state)).toEqual(['missing', 'pruned', 'pruned'])
  })

  it('upgrade prunes with FLINK_DEPLOY_KEEP_SAVEPOINTS or the config key keep-savepoints', async () => {
    const [oldest, middle] = await threeSavepoints()
    const viaEnv = await upgradeTo('v5', { FLINK_DEPLOY_KEEP_SAVEPOINTS: '3' })
    expect(viaEnv.prunedSavepoints).toEqual([oldest])
    writeFileSync(join(dir, 'deploy.yaml'), 'keep-savepoints: 3\n')
    const viaConfig = await upgradeTo('v6', { FLINK_DEPLOY_CONFIG: join(dir, 'deploy.yaml') })
    expect(viaConfig.prunedSavepoints).toEqual([middle])
  })

  it('refuses prune without --keep or --max-age, and a bad --max-age, before anything is sent', async () => {
    const none = await cli(['savepoints', 'prune', '--job-name', job])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('give --keep <n>, --max-age <duration> or both')
    const bad = await cli(['savepoints', 'prune', '--job-name', job, '--max-age', 'a week'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--max-age')
    const noJob = await cli(['savepoints', 'list'])
    expect(noJob.code).toBe(2)
  })

  it.each(['savepoints list', 'savepoints prune'])('%s --help', async (command) => {
    const run = await cli([...command.split(' '), '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`flink-deploy ${command}: `)
    expect(run.stdout).toMatch(/Examples:\n {2}flink-deploy /)
  })
})
