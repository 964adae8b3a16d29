/**
 * Issue 13's acceptance on real Flink: a manifest of three example jobs applied with the CLI (all running),
 * `plan` then reports nothing to do, and changing one job's arguments upgrades only that job.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createFlinkClient, type FlinkClient } from '@flink-deploy/core'
import {
  buildExampleJob,
  type FlinkCluster,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ndjson, runCli, tempDir } from '../../packages/cli/src/test-kit.ts'

const JOBS = ['fleet-orders', 'fleet-payments', 'fleet-audit']

for (const version of selectedFlinkVersions()) {
  describe(`a manifest of jobs on real Flink ${version}`, () => {
    let cluster: FlinkCluster
    let client: FlinkClient
    let dir: string
    const write = (auditRelease: string) =>
      writeFileSync(
        join(dir, 'flink-deploy.yaml'),
        [
          `flink-url: ${cluster.url}`,
          'defaults:',
          '  jar: build/example.jar',
          '  verify-stabilisation: 2s',
          '  verify-timeout: 90s',
          'jobs:',
          ...JOBS.flatMap((job, i) => [
            `  - job-name: ${job}`,
            `    args: [--name, ${job}, --release, ${i === 2 ? auditRelease : 'v1'}, --rate, '100']`,
            ...(i === 2 ? ['    wave: 2'] : []),
          ]),
        ].join('\n'),
      )
    const cli = (args: string[]) => runCli(args, { cwd: dir, timeoutMs: 170_000 })
    const running = async () =>
      Object.fromEntries(
        (await client.jobs.overview()).jobs.filter((j) => j.state === 'RUNNING').map((j) => [j.name, j.jid]),
      )

    beforeAll(async () => {
      dir = tempDir('flink-deploy-fleet-real-')
      let jar: string
      ;[cluster, jar] = await Promise.all([
        startFlinkCluster({ version, slots: 4 }),
        buildExampleJob(version),
      ])
      mkdirSync(join(dir, 'build'))
      copyFileSync(jar, join(dir, 'build', 'example.jar'))
      client = createFlinkClient({ baseUrl: cluster.url })
    })
    afterAll(async () => {
      await client?.close()
      await cluster?.stop()
    })

    it('applies three jobs, plans nothing more, and upgrades only the job whose args changed', async () => {
      write('v1')
      const applied = await cli(['apply', '--json'])
      expect(applied.code, applied.stdout + applied.stderr).toBe(0)
      const first = await running()
      expect(Object.keys(first).sort()).toEqual([...JOBS].sort())

      const nothing = await cli(['plan'])
      expect(nothing.code, nothing.stdout + nothing.stderr).toBe(0)
      expect(nothing.stdout).toContain('Nothing to do')

      write('v2')
      const pending = await cli(['plan'])
      expect(pending.code).toBe(7)
      expect(pending.stdout).toMatch(/^upgrade\s+fleet-audit/m)
      expect(pending.stdout).toMatch(/^unchanged\s+fleet-orders/m)
      const second = await cli(['apply', '--json'])
      expect(second.code, second.stdout + second.stderr).toBe(0)
      const rows = ndjson(second.stdout).at(-1)!.jobs as { job: string; status: string }[]
      expect(rows.map((r) => [r.job, r.status])).toEqual([
        ['fleet-orders', 'unchanged'],
        ['fleet-payments', 'unchanged'],
        ['fleet-audit', 'changed'],
      ])
      const after = await running()
      expect(after['fleet-orders']).toBe(first['fleet-orders'])
      expect(after['fleet-payments']).toBe(first['fleet-payments'])
      expect(after['fleet-audit']).not.toBe(first['fleet-audit'])
    })
  })
}
