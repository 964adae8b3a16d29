/**
 * `savepoints list|prune` and `upgrade --keep-savepoints` as a user runs them: the CLI as a child process
 * against the fake Flink on loopback, with the example job as its default program.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliOnFakeFlink, explain } from './cli-on-fake-flink.ts'
import { fakeJar, ndjson } from './test-kit.ts'

const ground = cliOnFakeFlink('orders')
const { cli } = ground

async function upgradeTo(build: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const jar = fakeJar(ground.dir, `${ground.job}-${build}.jar`, `${ground.job}-${build}`)
  const release = build === 'v1' ? 'v1' : 'v2'
  const args = ['--name', ground.job, '--release', release].flatMap((a) => ['--arg', a])
  const run = await cli(
    ['upgrade', '--job-name', ground.job, '--jar', jar, ...args, '--verify-stabilisation', '100ms', '--json'],
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

    const list = await cli(['savepoints', 'list', '--job-name', ground.job, '--json'])
    expect(list.code, explain(list)).toBe(0)
    const listed = ndjson(list.stdout)[0]!.savepoints as { path: string; rollbackTarget: boolean }[]
    expect(listed.map((s) => [s.path, s.rollbackTarget])).toEqual([
      [newest, true],
      [middle, false],
      [oldest, false],
    ])
    const table = await cli(['savepoints', 'list', '--job-name', ground.job])
    expect(table.stdout).toMatch(/^AGE +SIZE +STATE +PATH +NOTE$/m)
    expect(table.stdout).toContain(`${newest}  rollback target`)

    const dry = await cli([
      'savepoints',
      'prune',
      '--job-name',
      ground.job,
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
    expect(ground.fake.cluster.snapshot(oldest!)).toBeDefined()

    const prune = await cli(['savepoints', 'prune', '--job-name', ground.job, '--keep', '1', '--json'])
    expect(prune.code, explain(prune)).toBe(0)
    const result = ndjson(prune.stdout).at(-1)!
    expect((result.disposed as string[]).sort()).toEqual([oldest, middle].sort())
    expect(ground.fake.cluster.snapshot(oldest!)).toBeUndefined()
    expect(ground.fake.cluster.snapshot(newest!)).toBeDefined()

    const after = await cli(['savepoints', 'list', '--job-name', ground.job, '--json'])
    const states = ndjson(after.stdout)[0]!.savepoints as { state: string }[]
    expect(states.map((s) => s.state)).toEqual(['missing', 'pruned', 'pruned'])
  })

  it('upgrade prunes with FLINK_DEPLOY_KEEP_SAVEPOINTS or the config key keep-savepoints', async () => {
    const [oldest, middle] = await threeSavepoints()
    const viaEnv = await upgradeTo('v5', { FLINK_DEPLOY_KEEP_SAVEPOINTS: '3' })
    expect(viaEnv.prunedSavepoints).toEqual([oldest])
    writeFileSync(join(ground.dir, 'deploy.yaml'), 'keep-savepoints: 3\n')
    const viaConfig = await upgradeTo('v6', { FLINK_DEPLOY_CONFIG: join(ground.dir, 'deploy.yaml') })
    expect(viaConfig.prunedSavepoints).toEqual([middle])
  })

  it('refuses prune without --keep or --max-age, and a bad --max-age, before anything is sent', async () => {
    const none = await cli(['savepoints', 'prune', '--job-name', ground.job])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('give --keep <n>, --max-age <duration> or both')
    const bad = await cli(['savepoints', 'prune', '--job-name', ground.job, '--max-age', 'a week'])
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
