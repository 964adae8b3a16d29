/**
 * `plan` and `apply` as a user runs them (child processes) against the fake Flink on loopback: exit codes,
 * NDJSON with the job on every line, and a bad manifest refused with its file and line.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, fakeJar, ndjson, runCli, tempDir } from './test-kit.ts'

let fake: LoopbackFakeFlink
beforeAll(async () => {
  fake = await serveFakeFlink({ version: '2.3.0', slotsPerTaskManager: 64, timing: { programSecondMs: 20 } })
})
afterAll(async () => {
  await fake?.close()
})
const explain = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n---\n${run.stderr}`

function workspace(jobs: string[], release = 'v1', url = fake.url): string {
  const dir = tempDir('flink-deploy-fleet-cli-')
  const lines = [
    `flink-url: ${url}`,
    'defaults:',
    '  verify-stabilisation: 150ms',
    '  verify-timeout: 5s',
    'jobs:',
  ]
  for (const job of jobs) {
    fakeJar(dir, `${job}.jar`, job)
    lines.push(
      `  - job-name: ${job}`,
      `    jar: ${job}.jar`,
      `    args: [--name, ${job}, --release, ${release}]`,
    )
  }
  writeFileSync(join(dir, 'flink-deploy.yaml'), `${lines.join('\n')}\n`)
  return dir
}

describe('plan and apply', { timeout: 30_000 }, () => {
  it('plan exits 7 with changes pending, apply runs them with the job on every line, then plan exits 0', async () => {
    const dir = workspace(['fleet-a', 'fleet-b'])
    const pending = await runCli(['plan'], { cwd: dir })
    expect(pending.code, explain(pending)).toBe(7)
    expect(pending.stdout).toMatch(/^create\s+fleet-a\s+\(wave 1\)$/m)
    expect(pending.stdout).toContain(
      'To change: 2 to create, 0 to upgrade, 0 to resume; 0 blocked, 0 unchanged.',
    )

    const applied = await runCli(['apply', '--json'], { cwd: dir })
    expect(applied.code, explain(applied)).toBe(0)
    const lines = ndjson(applied.stdout)
    const result = lines.at(-1)!
    expect(lines.slice(0, -1).every((l) => l.job === 'fleet-a' || l.job === 'fleet-b')).toBe(true)
    expect(result).toMatchObject({ type: 'result', ok: true })
    expect((result.jobs as { status: string }[]).map((j) => j.status)).toEqual(['changed', 'changed'])

    const done = await runCli(['plan', '--json'], { cwd: dir })
    expect(done.code, explain(done)).toBe(0)
    expect(JSON.parse(done.stdout)).toMatchObject({ type: 'plan', pending: false })
  })

  it('a manifest with a typo is refused (exit 2) with its file, line and job, before anything is sent', async () => {
    const dir = workspace(['fleet-typo'])
    writeFileSync(
      join(dir, 'bad.yaml'),
      `flink-url: ${fake.url}\njobs:\n  - job-name: fleet-typo\n    jar: fleet-typo.jar\n    stategy: blue-green\n`,
    )
    const before = fake.requests.length
    const run = await runCli(['apply', '-f', 'bad.yaml'], { cwd: dir })
    expect(run.code, explain(run)).toBe(2)
    expect(run.stderr).toContain(
      `bad.yaml:5: job "fleet-typo", stategy: unknown key "stategy"; did you mean "strategy"?`,
    )
    expect(fake.requests.length).toBe(before)
  })

  it('apply logs savepoint progress at the rate of a log per job (every 10 s), all of it with --json', async () => {
    // savepoints of 3.5 s polled every second: two or more reports each, of which plain output shows the first
    // (the next would be due 10 s later)
    const slow = await serveFakeFlink({
      version: '2.3.0',
      timing: { programSecondMs: 20, savepointMs: 2_500 },
    })
    try {
      const dir = workspace(['fleet-slow'], 'v1', slow.url)
      const manifest = join(dir, 'flink-deploy.yaml')
      writeFileSync(
        manifest,
        readFileSync(manifest, 'utf8').replace('defaults:\n', 'defaults:\n  parallelism: 2\n'),
      )
      expect((await runCli(['apply'], { cwd: dir })).code).toBe(0)
      const json = await runCli(['apply', '--json', '-f', upgradeTo(dir, 'v2')], { cwd: dir })
      expect(json.code, explain(json)).toBe(0)
      const reports = ndjson(json.stdout).filter((l) => l.type === 'savepoint-progress')
      expect(reports.length).toBeGreaterThanOrEqual(2)
      const plain = await runCli(['apply', '-f', upgradeTo(dir, 'v1')], { cwd: dir })
      expect(plain.code, explain(plain)).toBe(0)
      const lines = plain.stdout.split('\n').filter((l) => l.includes('subtasks acknowledged'))
      expect(lines, plain.stdout).toEqual([
        expect.stringMatching(/^\[fleet-slow\] {3}savepoint \d+: \d\/4 subtasks/),
      ])
    } finally {
      await slow.close()
    }
  })
})

/** The workspace's manifest with the job's release changed, as a file beside it. */
function upgradeTo(dir: string, release: string): string {
  const file = `flink-deploy-${release}.yaml`
  writeFileSync(
    join(dir, file),
    readFileSync(join(dir, 'flink-deploy.yaml'), 'utf8').replace(/--release, v\d+/, `--release, ${release}`),
  )
  return file
}
