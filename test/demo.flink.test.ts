/**
 * The README's demo command, run as a newcomer runs it: a real cluster, v1 deployed, upgraded to v2 with
 * the CLI, and the state shown to continue. The newest configured Flink version only, to keep CI short.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { expect, it } from 'vitest'

const demo = fileURLToPath(new URL('../scripts/demo.ts', import.meta.url))

it('the demo upgrades a real job and shows its state continuing', () => {
  const version = selectedFlinkVersions().at(-1)!
  const run = spawnSync(process.execPath, [demo], {
    env: { ...process.env, FLINK_VERSION: version },
    encoding: 'utf8',
    timeout: 170_000,
  })
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  expect(run.stdout).toContain('Upgraded: green job')
  expect(run.stdout).toMatch(/restored (\d+) from the savepoint/)
  expect(run.stdout).toContain('The state continued across the upgrade.')
  const [, before] = /had counted (\d+) events/.exec(run.stdout)!
  const [, restored] = /restored (\d+) from the savepoint/.exec(run.stdout)!
  expect(Number(restored)).toBeGreaterThanOrEqual(Number(before))
})
