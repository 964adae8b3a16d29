/**
 * The single executable, built fresh into a temporary directory, run with no Node on PATH: help, version,
 * and a deployment then an upgrade against the fake Flink on loopback. Linux x64 only (what is built).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeJar, ndjson, tempDir } from '../test-kit.ts'
import { buildSea } from './build.ts'
import { LINUX_X64, runExecutable } from './sea-test-kit.ts'

describe.runIf(LINUX_X64)('the single executable', { timeout: 60_000 }, () => {
  let exe: string
  let fake: LoopbackFakeFlink
  let dir: string

  beforeAll(async () => {
    ;[exe, fake] = await Promise.all([
      buildSea(tempDir('flink-deploy-sea-')) as Promise<string>,
      serveFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } }),
    ])
    dir = tempDir('flink-deploy-sea-run-')
  }, 180_000)
  afterAll(async () => {
    await fake?.close()
  })

  it('prints help and its version without any Node installed, and carries the AWS SDK inside', async () => {
    const help = await runExecutable(exe, ['--help'], dir)
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toContain('Usage: flink-deploy <command> [options]')
    const version = await runExecutable(exe, ['--version', '--verbose'], dir)
    // The executable is the Node that built it (./run build: the pinned Node 24).
    expect(version.stdout).toMatch(new RegExp(`^flink-deploy \\d+\\.\\d+\\.\\d+\\nnode ${process.version} `))
    expect(version.stdout).toContain('s3 state store: available')
  })

  it('deploys v1, then upgrades to v2 from a savepoint, with a YAML config file', async () => {
    const env = { FLINK_DEPLOY_FLINK_URL: fake.url }
    const release = (build: string) => [
      '--jar',
      fakeJar(dir, `${build}.jar`),
      '--args-json',
      JSON.stringify(['--name', 'orders-sea', '--release', build]),
    ]
    writeFileSync(join(dir, 'deploy.yaml'), 'job-name: orders-sea\nverify-stabilisation: 150ms\n')
    const deploy = await runExecutable(
      exe,
      ['upgrade', '--config', 'deploy.yaml', ...release('v1')],
      dir,
      env,
    )
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0)
    const run = await runExecutable(
      exe,
      ['upgrade', '--config', 'deploy.yaml', ...release('v2'), '--json'],
      dir,
      env,
    )
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(ndjson(run.stdout).at(-1)).toMatchObject({ type: 'result', outcome: 'upgraded' })
    expect(ndjson(run.stdout).at(-1)!.savepointPath).toMatch(/savepoint/)
  })
})
