/**
 * The built bundle against real Flink 2.3 (a JobManager and a TaskManager JVM on loopback) with the example
 * job: v1 is deployed, then upgraded to v2 from a savepoint. Runs in the vitest `flink` project only
 * (it needs Java 17 and Maven); elsewhere it is skipped.
 */
import { rmSync } from 'node:fs'
import { buildExampleJob, type FlinkCluster, startFlinkCluster } from '@flink-deploy/local-flink'
import { afterAll, describe, expect, it } from 'vitest'
import { commands, type DistRun, runDist, workspace } from './action-test-kit.ts'

const SKIPPED = 'real Flink: runs in the flink project (pnpm test:flink)'
const token = 'seeded-real-flink-token-5e8a'

describe('the Action on real Flink 2.3', () => {
  let cluster: FlinkCluster | undefined
  let jar: string
  let dir: string
  let first: DistRun

  const release = (name: string) => ({
    'flink-url': cluster!.url,
    jar,
    'job-name': 'orders-action',
    args: ['--name', 'orders-action', '--release', name, '--rate', '200'].join('\n'),
    token,
    'verify-checkpoints': '1',
    'verify-stabilisation-ms': '3000',
    'verify-timeout-ms': '90000',
  })

  afterAll(async () => {
    await cluster?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('deploys v1', { timeout: 600_000 }, async ({ task, skip }) => {
    if (task.file.projectName !== 'flink') skip(SKIPPED)
    dir = workspace()
    ;[cluster, jar] = await Promise.all([startFlinkCluster({ version: '2.3' }), buildExampleJob('2.3')])
    first = await runDist(release('v1'), { workspace: dir, timeoutMs: 170_000 })
    expect(first.code, first.stdout + first.stderr).toBe(0)
    expect(first.outputs).toMatchObject({ outcome: 'upgraded', 'rolled-back': 'false' })
    expect(first.outputs['job-id']).toMatch(/^[0-9a-f]{32}$/)
  })

  it('upgrades v1 to v2 from a savepoint, with outputs, summary and the token masked', {
    timeout: 180_000,
  }, async ({ skip }) => {
    if (!cluster || !first) skip(SKIPPED)
    // Let v1 build up state and complete a checkpoint before it is stopped.
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    const r = await runDist(release('v2'), { workspace: dir, timeoutMs: 170_000 })

    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.outputs).toMatchObject({
      outcome: 'upgraded',
      'previous-job-id': first.outputs['job-id'],
      'rolled-back': 'false',
    })
    expect(r.outputs['savepoint-path']).toMatch(/savepoint-/)
    expect(Number(r.outputs['downtime-ms'])).toBeGreaterThan(0)
    expect(r.outputs['jar-id']).toMatch(/\.jar$/)
    expect(r.summary).toContain('## ✅ Upgraded: orders-action')
    expect(r.summary).toContain(`| savepoint | \`${r.outputs['savepoint-path']}\` |`)
    expect(r.summary).toMatch(/<summary>✓ restored-from-savepoint: /)
    expect(r.summary).toContain('```mermaid')
    expect(commands(r.stdout, 'add-mask')).toContain(token)
    const logged = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n')
    for (const text of [logged, r.stderr, r.outputFile, r.summary]) expect(text).not.toContain(token)
    console.log(`job summary of a real upgrade:\n${r.summary}`)
  })

  it("a release whose main() throws: the summary names the program's exception", {
    timeout: 180_000,
  }, async ({ skip }) => {
    if (!cluster || !first) skip(SKIPPED)
    const r = await runDist(release('v3'), { workspace: dir, timeoutMs: 170_000 })
    const message = 'java.lang.IllegalArgumentException: --release must be v1 or v2, got: v3'
    expect(r.code).not.toBe(0)
    expect(r.outputs.outcome).toBe('aborted-blue-untouched')
    expect(r.summary).toContain(message)
    expect(r.stdout).toContain(message)
    expect(r.summary).not.toContain('Could not execute application')
    expect(r.summary).not.toMatch(/\tat |at org\.apache\.flink/)
  })
})
