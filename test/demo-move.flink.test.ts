/**
 * The README's move demo, run as a newcomer runs it: an S3 server and two real clusters (Flink 1.20 and
 * 2.3), v1 deployed on 1.20, moved to 2.3 with the CLI, and the state shown to continue.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const demo = fileURLToPath(new URL('../scripts/demo-move.ts', import.meta.url))

it('the cross-cluster demo moves a real job from Flink 1.20 to 2.3 and shows its state continuing', () => {
  const run = spawnSync(process.execPath, [demo], { encoding: 'utf8', timeout: 170_000 })
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  expect(run.stdout).toMatch(/moved\s+from http:\/\/127\.0\.0\.1:\d+ to http:\/\/127\.0\.0\.1:\d+/)
  expect(run.stdout).toContain('The state continued across the move.')
  const [, before] = /had counted (\d+) events before the move; no job named orders runs there now/.exec(
    run.stdout,
  )!
  const [, restored] =
    /On Flink 2\.3\.0, v2 \(\w+\) restored (\d+) from s3:\/\/savepoints\/savepoints\/flink-1\.20\.5-/.exec(
      run.stdout,
    )!
  expect(Number(restored)).toBeGreaterThanOrEqual(Number(before))
})
