/**
 * Savepoint retention on real Flink (each selected version): the example job upgraded five times, then the
 * CLI prunes to two. Disposal goes through Flink's REST API; what is left is checked on disk, in the
 * cluster's savepoint directory.
 */
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { createFlinkClient, type FlinkClient, type UpgradeOptions, upgrade } from '@flink-deploy/core'
import {
  buildExampleJob,
  type FlinkCluster,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, ndjson, runCli } from '../../packages/cli/src/test-kit.ts'

const verify = { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 90_000 }

for (const version of selectedFlinkVersions()) {
  describe(`savepoint retention on real Flink ${version}`, () => {
    let cluster: FlinkCluster
    let client: FlinkClient
    let jar: string
    let stateDir: string
    const stateFile = () => join(stateDir, 'orders.json')
    const release = (name: string): UpgradeOptions => ({
      jobName: 'orders',
      jar,
      args: ['--name', 'orders', '--release', name, '--rate', '200'],
      verify,
    })
    const onDisk = () => readdirSync(cluster.savepointDir).sort()
    // `savepoints list` reads the release record only; prune talks to Flink.
    const cli = (args: string[]) =>
      runCli(
        [
          ...args,
          ...(args[1] === 'prune' ? ['--flink-url', cluster.url] : []),
          '--job-name',
          'orders',
          '--state-file',
          stateFile(),
        ],
        { cwd: stateDir },
      )
    const explain = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n---\n${run.stderr}`

    beforeAll(async () => {
      ;[cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
      client = createFlinkClient({ baseUrl: cluster.url })
      stateDir = mkdtempSync(join(tmpdir(), 'flink-deploy-retention-'))
    })

    afterAll(async () => {
      await client?.close().catch(() => {})
      await cluster?.stop()
    })

    it('retention: five upgrades, prune to two; exactly the newest two stay on disk, the rollback target among them', async () => {
      const first = await upgrade(release('v1'), { client, stateFile: stateFile() })
      expect(first.outcome, first.summary).toBe('upgraded')
      const taken: string[] = []
      for (const name of ['v2', 'v1', 'v2', 'v1', 'v2']) {
        const result = await upgrade(release(name), { client, stateFile: stateFile() })
        expect(result.outcome, result.summary).toBe('upgraded')
        taken.push(result.savepointPath!)
      }
      const dirs = taken.map((p) => basename(p))
      expect(onDisk()).toEqual([...dirs].sort())
      const rollbackTarget = taken.at(-1)!

      const list = await cli(['savepoints', 'list', '--json'])
      expect(list.code, explain(list)).toBe(0)
      const listed = ndjson(list.stdout)[0]!.savepoints as {
        path: string
        rollbackTarget: boolean
        state: string
        sizeBytes?: number
      }[]
      expect(listed.map((s) => s.path)).toEqual([...taken].reverse())
      expect(listed.filter((s) => s.rollbackTarget).map((s) => s.path)).toEqual([rollbackTarget])
      for (const s of listed) {
        expect(s.state).toBe('present')
        expect(s.sizeBytes).toBeGreaterThan(0)
      }

      const dry = await cli(['savepoints', 'prune', '--keep', '2', '--dry-run'])
      expect(dry.code, explain(dry)).toBe(0)
      expect(onDisk()).toEqual([...dirs].sort())

      const prune = await cli(['savepoints', 'prune', '--keep', '2', '--json'])
      expect(prune.code, explain(prune)).toBe(0)
      const result = ndjson(prune.stdout).at(-1)!
      expect((result.disposed as string[]).sort()).toEqual(taken.slice(0, 3).sort())
      expect(onDisk()).toEqual(dirs.slice(3).sort())
      expect(onDisk()).toContain(basename(rollbackTarget))

      const after = await cli(['savepoints', 'list', '--json'])
      const states = ndjson(after.stdout)[0]!.savepoints as { state: string }[]
      expect(states.map((s) => s.state)).toEqual(['present', 'present', 'pruned', 'pruned', 'pruned'])
    })
  })
}
