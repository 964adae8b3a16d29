/**
 * The built bundle (dist/index.js) run as the runner runs it, against a fake Flink on a loopback port: the
 * example job (the fake's default program), one program second lasting 20 ms so `--fail-after 1` fails fast.
 */
import { createHmac } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  deadWebhookUrl,
  type LoopbackFakeFlink,
  serveFakeFlink,
  startWebhookReceiver,
} from '@flink-deploy/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { commands, fakeJar, runDist, workspace } from './action-test-kit.ts'

let fake: LoopbackFakeFlink
let dir: string

const HEX32 = /^[0-9a-f]{32}$/

beforeEach(async () => {
  fake = await serveFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
  dir = workspace()
})
afterEach(async () => {
  await fake.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Inputs of a release of the example job: a jar whose content differs per build, and its arguments. */
function release(
  build: string,
  extra: Record<string, string> = {},
  args: string[] = [],
): Record<string, string> {
  return {
    'flink-url': fake.url,
    jar: fakeJar(dir, `orders-${build}.jar`, build),
    'job-name': 'orders',
    args: ['--name', 'orders', '--release', build === 'v1' ? 'v1' : 'v2', ...args].join('\n'),
    'verify-checkpoints': '1',
    'verify-stabilisation-ms': '150',
    'verify-timeout-ms': '5000',
    ...extra,
  }
}

const run = (inputs: Record<string, string>) => runDist(inputs, { workspace: dir })

async function deployV1(): Promise<string> {
  const first = await run(release('v1'))
  expect(first.code, first.stdout + first.stderr).toBe(0)
  const jobId = first.outputs['job-id']!
  await expect.poll(() => fake.cluster.job(jobId)?.stateCount() ?? 0).toBeGreaterThan(50)
  return jobId
}

describe('deploy (stop-and-restart)', () => {
  it('a first deployment starts the job and reports it in outputs, groups and the summary', async () => {
    const r = await run(release('v1'))

    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.outputs).toMatchObject({ outcome: 'upgraded', 'rolled-back': 'false' })
    expect(r.outputs['job-id']).toMatch(HEX32)
    expect(r.outputs['previous-job-id']).toBeUndefined()
    expect(r.outputs['savepoint-path']).toBeUndefined()
    expect(r.outputs['jar-id']).toMatch(/\.jar$/)
    expect(fake.cluster.jars().map((j) => j.id)).toContain(r.outputs['jar-id'])
    expect(Number(r.outputs['duration-ms'])).toBeGreaterThan(0)
    expect(r.outputs['state-file']).toBe(join(dir, '.flink-deploy', 'orders.json'))
    expect(existsSync(r.outputs['state-file']!)).toBe(true)
    expect(fake.cluster.job(r.outputs['job-id']!)!.state).toBe('RUNNING')
    expect(commands(r.stdout, 'group')).toEqual([
      'Preflight: cluster, blue job, jar, state compatibility',
      'Starting green',
      'Verifying green',
      'Recording the release',
      'Result: upgraded',
    ])
    expect(r.summary).toContain('## ✅ Upgraded: orders')
  })

  it('upgrades v1 to v2: outputs, savepoint inside the stop group, summary with timeline, checks and flowchart', async () => {
    const blueId = await deployV1()
    const r = await run(release('v2'))

    expect(r.code, r.stdout + r.stderr).toBe(0)
    const out = r.outputs
    expect(out).toMatchObject({ outcome: 'upgraded', 'previous-job-id': blueId, 'rolled-back': 'false' })
    expect(out['job-id']).toMatch(HEX32)
    expect(out['job-id']).not.toBe(blueId)
    expect(out['savepoint-path']).toMatch(/^file:\/tmp\/fake-flink\/savepoints\//)
    expect(Number(out['downtime-ms'])).toBeGreaterThanOrEqual(0)
    expect(Number(out['estimated-downtime-ms'])).toBeGreaterThan(0)
    // The plan's estimate, logged in the preflight group, before blue is touched.
    const preflight = r.stdout.slice(
      r.stdout.indexOf('::group::Preflight'),
      r.stdout.indexOf('::group::Stopping blue with a savepoint'),
    )
    expect(preflight).toMatch(
      new RegExp(
        `State [\\d.]+ KB \\(checkpoint \\d+\\): estimated downtime ${out['estimated-downtime-ms']} ms `,
      ),
    )
    // @actions/core writes every output as a heredoc with a random delimiter.
    expect(r.outputFile).toMatch(/^savepoint-path<<ghadelimiter_[0-9a-f-]+$/m)

    const green = fake.cluster.job(out['job-id']!)!
    expect(green.state).toBe('RUNNING')
    expect(fake.cluster.job(blueId)!.state).toBe('FINISHED')
    expect(fake.cluster.snapshot(out['savepoint-path']!)!.stateCount).toBeGreaterThan(50)

    // One group per step; the savepoint line sits inside the stop group.
    const stop = r.stdout.slice(
      r.stdout.indexOf('::group::Stopping blue with a savepoint'),
      r.stdout.indexOf('::group::Starting green'),
    )
    expect(stop).toContain(`savepoint: ${out['savepoint-path']}`)
    expect(stop).toMatch(/::endgroup::\n$/)
    expect(r.stdout).toMatch(/::group::Verifying green\n(.*\n)*? {2}✓ /)
    expect(commands(r.stdout, 'notice')[0]).toContain(
      `Upgraded: green job ${out['job-id']} runs from savepoint`,
    )

    const s = r.summary
    expect(s).toContain('## ✅ Upgraded: orders')
    expect(s).toContain('| outcome | **upgraded** |')
    expect(s).toContain(`| blue job | \`${blueId}\` |`)
    expect(s).toContain(`| green job | \`${out['job-id']}\` |`)
    expect(s).toContain(`| savepoint | \`${out['savepoint-path']}\` |`)
    expect(s).toContain(
      `| downtime | ${out['downtime-ms']} ms (estimated ${out['estimated-downtime-ms']} ms) |`,
    )
    expect(s).toContain('```mermaid\nflowchart LR\n')
    expect(s).toMatch(/s0 --> s1 --> s2 --> s3 --> s4 --> outcome/)
    expect(s).toContain('outcome(["✅ Upgraded"])')
    expect(s).toContain('| 2 | `stoppingBlue` | Stopping blue with a savepoint |')
    expect(s).toContain('### Checks on green')
    expect(s).toMatch(/<details><summary>✓ .*<\/summary>\n\n```json\n\{/)
  })

  it('rolls back a release that crashes: exit 1, an error annotation saying what runs, outputs', async () => {
    const blueId = await deployV1()
    const r = await run(release('v3', {}, ['--fail-after', '1', '--restart-attempts', '0']))

    expect(r.code).toBe(1)
    expect(r.outputs).toMatchObject({
      outcome: 'rolled-back',
      'rolled-back': 'true',
      'previous-job-id': blueId,
    })
    const restarted = r.outputs['job-id']!
    expect(restarted).toMatch(HEX32)
    expect(fake.cluster.job(restarted)!.state).toBe('RUNNING')
    expect(fake.cluster.job(restarted)!.stateCount()).toBeGreaterThan(50)

    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'))
    expect(errors[0]).toMatch(/^::error title=flink-deploy%3A rolled-back::Rolled back: /)
    expect(errors[0]).toContain(`Now running: blue-restarted job ${restarted}`)
    expect(errors[0]).toContain(
      `The release did not go out: the previous release runs again from savepoint ${r.outputs['savepoint-path']}`,
    )
    expect(errors[1]).toBe('::error::The release did not go out (rolled-back).')
    expect(r.stdout).toContain(
      '::group::Rolling back: cancelling green, running blue again from the savepoint',
    )
    expect(r.stdout).toMatch(/::warning title=Check failed on green/)
    expect(r.summary).toContain('## ↩️ Rolled back: orders')
    expect(r.summary).toContain('### What runs now and how to recover')
    expect(r.summary).toContain('class outcome fail')
  })

  it('refuses bad input with a message naming the input, before anything is sent', async () => {
    const r = await run(release('v1', { parallelism: 'two' }))

    expect(r.code).toBe(1)
    expect(r.stdout.trim()).toBe('::error::Input parallelism: expected a positive whole number, got "two"')
    expect(r.stderr).toBe('')
    expect(fake.requests).toEqual([])
    expect(r.outputFile).toBe('')
    expect(r.summary).toBe('')
  })

  it.each([
    [{ 'job-id': 'abc' }, 'Input job-id: expected a Flink job id (32 lowercase hex characters), got "abc"'],
    [{ 'job-id': 'a'.repeat(32) }, 'Input job-name: give job-name or job-id, not both'],
    [{ 'job-name': '' }, 'Input job-name: required: give job-name (or job-id) to choose the job to deploy'],
    [{ strategy: 'canary' }, 'Input strategy: expected one of stop-and-restart, blue-green, got "canary"'],
    [{ 'dry-run': 'yes' }, 'Input dry-run: expected true or false, got "yes"'],
    [{ jar: 'missing.jar' }, 'Input jar: file not found: <dir>/missing.jar'],
    [
      { 'manual-promotion': 'true' },
      'Input manual-promotion: needs strategy blue-green (stop-and-restart has no moment where both jobs run)',
    ],
  ])('bad input %o: %s', async (extra, message) => {
    const r = await run(release('v1', extra))
    expect(r.code).toBe(1)
    expect(r.stdout.trim()).toBe(`::error::${message.replace('<dir>', dir)}`)
    expect(fake.requests).toEqual([])
  })

  it('a dry run changes nothing and lists the plan in the summary', async () => {
    const blueId = await deployV1()
    const r = await run(release('v2', { 'dry-run': 'true' }))

    expect(r.code, r.stdout).toBe(0)
    expect(r.outputs).toMatchObject({ outcome: 'dry-run', 'job-id': blueId, 'previous-job-id': blueId })
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
    expect(r.summary).toContain('### Plan')
    expect(r.summary).toContain(`1. stop blue ${blueId} with a canonical savepoint`)
  })
})

describe('secrets', () => {
  it('a seeded token is masked before anything is logged and appears nowhere', async () => {
    const token = 'seeded-token-4f1c9a7e2b'
    const apiKey = 'seeded-header-value-93d2'
    const seen: string[] = []
    fake.server.on('request', (req) => seen.push(`${req.headers.authorization} ${req.headers['x-api-key']}`))
    const r = await run(release('v1', { token, headers: `X-Api-Key: ${apiKey}` }))

    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(seen[0]).toBe(`Bearer ${token} ${apiKey}`)
    const masks = commands(r.stdout, 'add-mask')
    expect(masks).toEqual(expect.arrayContaining([token, apiKey, Buffer.from(token).toString('base64')]))
    // The masks come first: nothing was logged before them.
    expect(r.stdout.startsWith(masks.map((m) => `::add-mask::${m}\n`).join(''))).toBe(true)
    const logged = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n')
    for (const secret of [token, apiKey, Buffer.from(token).toString('base64')]) {
      expect(logged).not.toContain(secret)
      expect(r.stderr).not.toContain(secret)
      expect(r.outputFile).not.toContain(secret)
      expect(r.summary).not.toContain(secret)
      expect(readFileSync(r.outputs['state-file']!, 'utf8')).not.toContain(secret)
    }
  })

  it('masks basic-auth forms and each line of a PEM key; an error from the cluster does not echo them', async () => {
    const key = [
      '-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      'BKcwggSjAgEAAoIBAQC7',
      '-----END PRIVATE KEY-----',
    ].join('\n')
    const r = await run(
      release('v1', {
        'flink-url': 'https://127.0.0.1:1',
        username: 'deployer',
        password: 'seeded-password-77',
        'client-cert': key.replaceAll('PRIVATE KEY', 'CERTIFICATE'),
        'client-key': key,
        insecure: 'true',
      }),
    )
    expect(r.code).toBe(1)
    const masks = commands(r.stdout, 'add-mask')
    expect(masks).toEqual(
      expect.arrayContaining([
        'seeded-password-77',
        Buffer.from('deployer:seeded-password-77').toString('base64'),
        'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
        'BKcwggSjAgEAAoIBAQC7',
      ]),
    )
    expect(masks.some((m) => m.includes('-----'))).toBe(false)
    const logged = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n')
    expect(logged).not.toContain('seeded-password-77')
    expect(logged).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')
  })
})

describe('blue-green with manual promotion across two invocations', () => {
  const blueGreen = { strategy: 'blue-green', 'manual-promotion': 'true' }

  it('deploy waits with green verified beside blue; action promote with the same state file finishes it', async () => {
    const blueId = await deployV1()
    const first = await run(release('v2', blueGreen))

    expect(first.code, first.stdout + first.stderr).toBe(0)
    const greenId = first.outputs['job-id']!
    expect(first.outputs).toMatchObject({ outcome: 'awaiting-promotion', 'previous-job-id': blueId })
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
    expect(fake.cluster.job(greenId)!.state).toBe('RUNNING')
    expect(commands(first.stdout, 'notice')[0]).toContain(
      `Run this action with action: promote (or reject) and state-file: ${first.outputs['state-file']}`,
    )
    expect(first.summary).toContain('## ⏸️ Awaiting promotion: orders')
    // Blue never stopped: the plan's restore estimate is logged as such, and is no downtime output.
    expect(first.stdout).toMatch(/green restores beside blue, which keeps running, in est\. \d+ ms/)
    expect(first.outputs['estimated-downtime-ms']).toBeUndefined()

    const second = await run({
      'flink-url': fake.url,
      action: 'promote',
      'state-file': '.flink-deploy/orders.json',
    })

    expect(second.code, second.stdout + second.stderr).toBe(0)
    expect(second.outputs).toMatchObject({
      outcome: 'upgraded',
      'job-id': greenId,
      'previous-job-id': blueId,
    })
    expect(second.outputs['savepoint-path']).toBe(first.outputs['savepoint-path'])
    expect(fake.cluster.job(blueId)!.state).toBe('FINISHED')
    expect(fake.cluster.job(greenId)!.state).toBe('RUNNING')
    expect(second.stdout).toContain('::group::Re-checking both jobs before promotion')
    // The summary shows the whole path of the run, both invocations.
    expect(second.summary).toMatch(/Waiting for promotion<br\/>.*"\]\n {2}s\d\["Re-checking both jobs/)
  })

  it('action reject cancels green, keeps blue, and does not fail the step', async () => {
    const blueId = await deployV1()
    const first = await run(release('v2', blueGreen))
    const greenId = first.outputs['job-id']!
    const second = await run({
      'flink-url': fake.url,
      action: 'reject',
      'job-name': 'orders',
      'reject-reason': 'bad numbers',
    })

    expect(second.code, second.stdout + second.stderr).toBe(0)
    expect(second.outputs).toMatchObject({ outcome: 'aborted-blue-untouched', 'job-id': blueId })
    expect(fake.cluster.job(blueId)!.state).toBe('RUNNING')
    expect(fake.cluster.job(greenId)!.state).toBe('CANCELED')
    expect(commands(second.stdout, 'error')).toEqual([])
  })

  it('promote without a run in the state file fails and says so', async () => {
    const r = await run({ 'flink-url': fake.url, action: 'promote', 'job-name': 'orders' })
    expect(r.code).toBe(1)
    expect(commands(r.stdout, 'error')[0]).toContain('no run to resume in')
  })
})

describe('moving the job to another cluster (to-flink-url)', () => {
  it('deploys green on the target from blue savepoint; outputs name where the job runs now', async () => {
    // Both fakes read and write one savepoint storage, as two clusters share a bucket.
    await fake.close()
    const storage = new Map()
    const shared = { savepointDir: 's3://savepoints/orders', storage, timing: { programSecondMs: 20 } }
    fake = await serveFakeFlink({ version: '1.20.5', ...shared })
    const target = await serveFakeFlink({ version: '2.3.0', ...shared })
    try {
      const blueId = await deployV1()
      const r = await run(release('v2', { 'to-flink-url': target.url, 'to-token': 'target-token-55' }))

      expect(r.code, r.stdout + r.stderr).toBe(0)
      expect(r.outputs).toMatchObject({
        outcome: 'upgraded',
        'previous-job-id': blueId,
        'flink-url': target.url,
      })
      expect(target.cluster.job(r.outputs['job-id']!)!.restoredFrom?.path).toBe(r.outputs['savepoint-path'])
      expect(fake.cluster.job(blueId)!.state).toBe('FINISHED')
      expect(r.stdout).toContain(`on ${fake.url}, moving it to ${target.url}`)
      expect(commands(r.stdout, 'add-mask')).toContain('target-token-55')
      const logged = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
      expect(logged.join('\n')).not.toContain('target-token-55')
    } finally {
      await target.close()
    }
  })
})

describe('notifications', () => {
  const SECRET = 'whsec-5eeded-never-shown-7'
  const PATH = '/services/T0K3N-in-the-path-9f8e7d'

  it('notify and notify-secret: the webhook gets the signed end of the run; both are masked', async () => {
    const hook = await startWebhookReceiver()
    try {
      const r = await run(release('v1', { notify: `${hook.url}${PATH}`, 'notify-secret': SECRET }))
      expect(r.code, r.stdout + r.stderr).toBe(0)
      const [sent] = hook.delivered()
      expect(JSON.parse(sent!.body)).toMatchObject({
        event: 'run-ended',
        job: 'orders',
        outcome: 'upgraded',
        running: [{ role: 'green', jobId: r.outputs['job-id'], cluster: fake.url }],
      })
      expect(sent!.headers['x-flink-deploy-signature']).toBe(
        `sha256=${createHmac('sha256', SECRET).update(sent!.body).digest('hex')}`,
      )
      expect(commands(r.stdout, 'add-mask')).toEqual(expect.arrayContaining([SECRET, `${hook.url}${PATH}`]))
    } finally {
      await hook.close()
    }
  })

  it('a dead webhook: the step still succeeds, with a warning naming its host only', async () => {
    const dead = await deadWebhookUrl()
    const r = await run(release('v1', { notify: `${dead}${PATH}` }))
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.outputs.outcome).toBe('upgraded')
    expect(commands(r.stdout, 'warning')).toEqual([
      `the run-ended notification to ${dead} was not delivered after 4 attempts (ECONNREFUSED); the run itself is not affected`,
    ])
  })
})
