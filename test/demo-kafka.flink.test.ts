/**
 * `./run demo:kafka` as a newcomer runs it: a real broker and cluster, v1 deployed and upgraded to v2 with the
 * CLI while records are produced, and the ledger line at the end. The newest configured Flink version only.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { expect, it } from 'vitest'

const demo = fileURLToPath(new URL('../scripts/demo-kafka.ts', import.meta.url))

it('the kafka demo upgrades the Kafka job and ends with a ledger of 0 missing, 0 duplicated', () => {
  const version = selectedFlinkVersions().at(-1)!
  const run = spawnSync(process.execPath, [demo], {
    env: { ...process.env, FLINK_VERSION: version },
    encoding: 'utf8',
    timeout: 170_000,
  })
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  expect(run.stdout).toContain('Upgraded: green job')
  const [, input, output] = /Ledger: input (\d+), output (\d+), missing 0, duplicated 0\n/.exec(run.stdout)!
  expect(Number(input)).toBeGreaterThan(0)
  expect(output).toBe(input)
})
