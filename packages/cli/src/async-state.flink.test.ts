/**
 * A job on Flink 2.x async state (the example job with --async-state) takes only native savepoints. On real
 * Flink 2.x the CLI upgrades it with `--savepoint-format native` typed on the command line, and `apply`
 * upgrades it from a manifest that says `savepoint-format: native`. Flink 1.x has no async state API.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  buildExampleJob,
  type FlinkCluster,
  flinkMajor,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, ndjson, runCli, tempDir } from './test-kit.ts'

for (const version of selectedFlinkVersions().filter((v) => flinkMajor(v) >= 2)) {
  describe(`savepoint format native for a job on async state, real Flink ${version}`, () => {
    let cluster: FlinkCluster
    let jar: string
    let dir: string

    const args = (release: string) => [
      '--name',
      'orders-async',
      '--release',
      release,
      '--rate',
      '200',
      '--async-state',
    ]
    const cli = (argv: string[]): Promise<CliRun> =>
      runCli(argv, { cwd: dir, env: { FLINK_DEPLOY_FLINK_URL: cluster.url }, timeoutMs: 170_000 })
    const explain = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n---\n${run.stderr}`
    /** Blue completes a checkpoint (every 2 s on these clusters) before it is stopped. */
    const settle = () => new Promise((resolve) => setTimeout(resolve, 4_000))

    beforeAll(async () => {
      dir = tempDir('flink-deploy-cli-async-')
      ;[cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
    })
    afterAll(async () => {
      await cluster?.stop()
    })

    it('flink-deploy upgrade --savepoint-format native upgrades it', async () => {
      const quick = ['--verify-stabilisation', '3s', '--verify-timeout', '90s', '--json']
      const common = ['upgrade', '--job-name', 'orders-async', '--jar', jar, ...quick]
      const first = await cli([...common, '--args-json', JSON.stringify(args('v1'))])
      expect(first.code, explain(first)).toBe(0)
      await settle()
      const run = await cli([
        ...common,
        '--args-json',
        JSON.stringify(args('v2')),
        '--savepoint-format',
        'native',
      ])
      expect(run.code, explain(run)).toBe(0)
      expect(ndjson(run.stdout).at(-1)).toMatchObject({
        outcome: 'upgraded',
        savepointFormat: 'native',
        blueJobId: ndjson(first.stdout).at(-1)!.greenJobId,
      })
    })

    it('apply upgrades it from a manifest with savepoint-format: native', async () => {
      await settle()
      const manifest = [
        'defaults:',
        '  verify-stabilisation: 3s',
        '  verify-timeout: 90s',
        'jobs:',
        '  - job-name: orders-async',
        `    jar: ${jar}`,
        `    args: ${JSON.stringify(args('v1'))}`,
        '    savepoint-format: native',
      ].join('\n')
      writeFileSync(join(dir, 'flink-deploy.yaml'), manifest)
      const run = await cli(['apply', '--json'])
      expect(run.code, explain(run)).toBe(0)
      const result = ndjson(run.stdout).at(-1)!
      expect(result).toMatchObject({
        type: 'result',
        ok: true,
        jobs: [{ job: 'orders-async', action: 'upgrade', status: 'changed', outcome: 'upgraded' }],
      })
      const formats = ndjson(run.stdout)
        .filter((l) => l.type === 'savepoint-taken')
        .map((l) => l.format)
      expect(formats).toEqual(['native'])
    })
  })
}
