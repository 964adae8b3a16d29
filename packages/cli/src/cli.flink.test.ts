/**
 * The CLI as a user runs it (a child process, --json) against real Flink, for each selected version: a
 * JobManager and a TaskManager JVM on loopback and the example job. v1 is deployed, then upgraded to v2
 * from a savepoint. Runs in the vitest `flink` project (needs Java 17 and Maven).
 */
import {
  buildExampleJob,
  type FlinkCluster,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, ndjson, runCli, tempDir } from './test-kit.ts'

const TOKEN = 'real-flink-cli-token-7c1d'

for (const version of selectedFlinkVersions()) {
  describe(`flink-deploy CLI on real Flink ${version}`, () => {
    let cluster: FlinkCluster
    let jar: string
    let dir: string
    let blue: string

    const upgrade = (release: string, output: string[] = ['--json']): Promise<CliRun> =>
      runCli(
        [
          'upgrade',
          '--job-name',
          'orders-cli',
          '--jar',
          jar,
          '--args-json',
          JSON.stringify(['--name', 'orders-cli', '--release', release, '--rate', '200']),
          '--verify-stabilisation',
          '3s',
          '--verify-timeout',
          '90s',
          ...output,
        ],
        {
          cwd: dir,
          env: { FLINK_DEPLOY_FLINK_URL: cluster.url, FLINK_DEPLOY_TOKEN: TOKEN },
          timeoutMs: 150_000,
        },
      )

    const result = (run: CliRun) => {
      const lines = ndjson(run.stdout)
      expect(lines.slice(0, -1).every((l) => l.type !== 'result')).toBe(true)
      return lines.at(-1)!
    }

    beforeAll(async () => {
      dir = tempDir('flink-deploy-cli-real-')
      ;[cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
    })
    afterAll(async () => {
      await cluster?.stop()
    })

    it('deploys v1 when nothing runs (exit 0)', async () => {
      const run = await upgrade('v1')
      expect(run.code, run.stdout + run.stderr).toBe(0)
      const r = result(run)
      expect(r).toMatchObject({ type: 'result', outcome: 'upgraded', exitCode: 0 })
      blue = r.greenJobId as string
    })

    it('upgrades v1 to v2 from a savepoint (exit 0)', async () => {
      // Let v1 complete a checkpoint (every 2 s on these clusters) before it is stopped.
      await new Promise((resolve) => setTimeout(resolve, 3_000))
      const run = await upgrade('v2')
      expect(run.code, run.stdout + run.stderr).toBe(0)
      const r = result(run)
      expect(r).toMatchObject({ outcome: 'upgraded', blueJobId: blue, exitCode: 0 })
      expect(r.savepointPath).toMatch(/savepoint-/)
      const steps = ndjson(run.stdout)
        .filter((l) => l.type === 'step-entered')
        .map((l) => l.step)
      expect(steps).toEqual([
        'preflight',
        'stoppingBlue',
        'startingGreen',
        'verifyingGreen',
        'recordingRelease',
      ])
      expect(run.stdout + run.stderr).not.toContain(TOKEN)
    })

    it('a release whose main() throws: its message in the output and in --json, no Java stack (exit 4)', async () => {
      const message = 'java.lang.IllegalArgumentException: --release must be v1 or v2, got: v3'
      const json = await upgrade('v3')
      expect(json.code, json.stdout + json.stderr).toBe(4)
      const r = result(json)
      expect(r).toMatchObject({ outcome: 'aborted-blue-untouched', exitCode: 4 })
      expect(r.error).toMatchObject({ step: 'preflight', code: 'RELEASE_START_FAILED' })
      expect((r.error as { message: string }).message).toContain(message)
      expect(r.summary).toContain(message)

      const plain = await upgrade('v3', [])
      expect(plain.code, plain.stdout + plain.stderr).toBe(4)
      expect(plain.stdout).toContain(message)
      expect(plain.stdout + plain.stderr).not.toMatch(/\tat |\n\s+at org\.apache/)
      expect(plain.stdout + plain.stderr).not.toContain('Could not execute application')
    })
  })
}
