/**
 * The single executable on real Flink: built fresh, run with no Node on PATH, it deploys the example job
 * (v1) and upgrades it to v2 from a savepoint on a local cluster. One Flink version is enough (the first
 * selected): the CLI's own real-Flink tests cover each version; this proves the executable. Linux x64 only.
 */
import {
  buildExampleJob,
  type FlinkCluster,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, ndjson, tempDir } from '../test-kit.ts'
import { buildSea } from './build.ts'
import { LINUX_X64, runExecutable } from './sea-test-kit.ts'

const version = selectedFlinkVersions()[0]!

describe.runIf(LINUX_X64)(`the single executable on real Flink ${version}`, () => {
  let cluster: FlinkCluster
  let jar: string
  let exe: string
  let dir: string

  const upgrade = (release: string): Promise<CliRun> =>
    runExecutable(
      exe,
      [
        'upgrade',
        '--job-name',
        'orders-sea',
        '--jar',
        jar,
        '--args-json',
        JSON.stringify(['--name', 'orders-sea', '--release', release, '--rate', '200']),
        '--verify-stabilisation',
        '3s',
        '--verify-timeout',
        '90s',
        '--json',
      ],
      dir,
      { FLINK_DEPLOY_FLINK_URL: cluster.url },
    )

  beforeAll(async () => {
    dir = tempDir('flink-deploy-sea-real-')
    ;[cluster, jar, exe] = await Promise.all([
      startFlinkCluster({ version }),
      buildExampleJob(version),
      buildSea(tempDir('flink-deploy-sea-')) as Promise<string>,
    ])
  })
  afterAll(async () => {
    await cluster?.stop()
  })

  it('deploys v1, then upgrades it to v2 from a savepoint', async () => {
    const first = await upgrade('v1')
    expect(first.code, first.stdout + first.stderr).toBe(0)
    const blue = ndjson(first.stdout).at(-1)!.greenJobId
    // Let v1 complete a checkpoint (every 2 s on these clusters) before it is stopped.
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const run = await upgrade('v2')
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const result = ndjson(run.stdout).at(-1)!
    expect(result).toMatchObject({ type: 'result', outcome: 'upgraded', blueJobId: blue, exitCode: 0 })
    expect(result.savepointPath).toMatch(/savepoint-/)
    const restored = ndjson(run.stdout)
      .filter((l) => l.type === 'step-entered')
      .map((l) => l.step)
    expect(restored).toEqual([
      'preflight',
      'stoppingBlue',
      'startingGreen',
      'verifyingGreen',
      'recordingRelease',
    ])
  })
})
