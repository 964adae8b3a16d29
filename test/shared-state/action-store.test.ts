/**
 * The Action with `state-store`: every job of a workflow gets a fresh workspace, and nothing is carried
 * between them but the store URL. Deploy in one, manual promotion in another, a rollback in a third.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fakeJar, runDist, workspace } from '../../packages/github-action/src/action-test-kit.ts'
import { fakeFlinkAndS3 } from './fake-and-s3.ts'

const BUCKET = 'action-state'
const STORE = `s3://${BUCKET}/pipelines`
const servers = fakeFlinkAndS3(BUCKET)

/** A job of the workflow: a fresh workspace, the runner's variables, the store in its inputs. */
async function job(inputs: Record<string, string>, build?: string, args: string[] = []) {
  const ws = workspace()
  const release: Record<string, string> = build
    ? {
        jar: fakeJar(ws, 'orders.jar', `orders-${build}`),
        args: ['--name', 'orders', '--release', build === 'v1' ? 'v1' : 'v2', ...args].join('\n'),
      }
    : {}
  const run = await runDist(
    {
      'flink-url': servers.fake.url,
      'job-name': 'orders',
      'state-store': STORE,
      'verify-stabilisation-ms': '150',
      'verify-timeout-ms': '5000',
      ...release,
      ...inputs,
    },
    {
      workspace: ws,
      env: {
        ...servers.s3.env(),
        GITHUB_REPOSITORY: 'acme/orders',
        GITHUB_RUN_ID: '4242',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_JOB: 'deploy',
      },
    },
  )
  // Nothing of the run is left in the workspace: the next job would not see it anyway.
  expect(existsSync(join(ws, '.flink-deploy'))).toBe(false)
  return run
}

describe('the Action with a shared state store', { timeout: 60_000 }, () => {
  it('deploy, blue-green awaiting promotion, promote and a rollback, each in a fresh workspace', async () => {
    const first = await job({}, 'v1')
    expect(first.code, first.stdout + first.stderr).toBe(0)
    expect(first.outputs).toMatchObject({ outcome: 'upgraded', 'state-store': STORE })
    expect(first.outputs['state-file']).toBeUndefined()
    const v1 = first.outputs['job-id']!
    await expect.poll(() => servers.fake.cluster.job(v1)?.stateCount() ?? 0).toBeGreaterThan(50)
    expect(first.summary).toContain(`| state store | \`${STORE}\` |`)

    const waiting = await job({ strategy: 'blue-green', 'manual-promotion': 'true' }, 'v2')
    expect(waiting.code, waiting.stdout + waiting.stderr).toBe(0)
    expect(waiting.outputs.outcome).toBe('awaiting-promotion')
    expect(waiting.stdout).toContain(
      `action: promote (or reject) and state-store: ${STORE} and job-name: orders`,
    )

    const promoted = await job({ action: 'promote' })
    expect(promoted.code, promoted.stdout + promoted.stderr).toBe(0)
    expect(promoted.outputs).toMatchObject({ outcome: 'upgraded', 'previous-job-id': v1 })
    const v2 = promoted.outputs['job-id']!
    expect(servers.fake.cluster.job(v1)!.state).toBe('FINISHED')
    await expect.poll(() => servers.fake.cluster.job(v2)?.stateCount() ?? 0).toBeGreaterThan(50)

    const failing = await job({}, 'v3', ['--fail-after', '1', '--restart-attempts', '0'])
    expect(failing.code).toBe(1)
    expect(failing.outputs).toMatchObject({
      outcome: 'rolled-back',
      'rolled-back': 'true',
      'previous-job-id': v2,
    })
    expect(servers.fake.cluster.job(failing.outputs['job-id']!)!.programArgs).toContain('v2')
  })

  it('a run locked by another workflow names it, and a bad store URL is an input error', async () => {
    const { acquireLeaseLock, jobKey, openObjectStore } = await import('@flink-deploy/core')
    const objects = await openObjectStore(STORE, servers.s3.clientConfig())
    const lock = await acquireLeaseLock(objects, jobKey('orders', 'lock.json'), {
      owner: 'GitHub Actions acme/orders run 99, job deploy',
    })
    try {
      const locked = await job({}, 'v4')
      expect(locked.code).toBe(1)
      expect(locked.stdout).toMatch(
        /held by GitHub Actions acme\/orders run 99, job deploy \(pid \d+ on .+\) since/,
      )
      expect(locked.outputs.outcome).toBeUndefined()
    } finally {
      await lock.release()
      await objects.close()
    }
    const bad = await job({ 'state-store': 'deploy-state/x' }, 'v4')
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain(
      'Input state-store: expected s3://<bucket>/<prefix>, e.g. s3://deploy-state/flink, got "deploy-state/x"',
    )
  })
})
