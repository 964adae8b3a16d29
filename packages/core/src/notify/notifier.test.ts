/**
 * Notifications of whole upgrades against the fake Flink, delivered to a real webhook on loopback: the
 * generic body and its signature, the steps, the retries, and a dead webhook that changes nothing but a
 * warning. Slack's shape is checked through the notifier with its fetch routed to the same server.
 */
import { createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import type { UpgradeEmitted } from '../machines/upgrade-setup.ts'
import {
  deadWebhookUrl,
  type InProcessFakeFlink,
  startFakeFlink,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../testing/index.ts'
import type { UpgradeOptions } from '../upgrade/options.ts'
import type { UpgradeResult } from '../upgrade/result.ts'
import { resume, upgrade } from '../upgrade/run-upgrade.ts'
import { createNotifier } from './notifier.ts'

const SECRET = 'whsec-5eeded-never-shown-7'
/** A webhook path that is its own credential, as Slack's are. */
const TOKEN_PATH = '/hooks/T0K3N-in-the-path-9f8e7d'

let dir: string
let fake: InProcessFakeFlink
let client: FlinkClient
let hook: WebhookReceiver
let events: UpgradeEmitted[]

const quick = { checkpoints: 1, stabilisationMs: 150, timeoutMs: 5_000 }

function release(build: string, notify?: UpgradeOptions['notify']): UpgradeOptions {
  const jar = join(dir, `orders-${build}.jar`)
  writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(build)]))
  return {
    jobName: 'orders',
    jar,
    args: ['--name', 'orders', '--release', build],
    verify: quick,
    timeouts: { blueSettleMs: 200 },
    ...(notify ? { notify } : {}),
  }
}

const stateFile = () => join(dir, 'state', 'orders.json')
const runtime = () => ({ client, stateFile: stateFile(), onEvent: (e: UpgradeEmitted) => events.push(e) })
const json = (body: string) => JSON.parse(body) as Record<string, unknown>
const hmac = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flink-deploy-notify-'))
  fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
  client = createFlinkClient({ baseUrl: fake.url })
  hook = await startWebhookReceiver()
  events = []
})
afterEach(async () => {
  await client.close()
  await fake.stop()
  await hook.close()
})

async function deployV1(): Promise<void> {
  expect((await upgrade(release('v1'), runtime())).outcome).toBe('upgraded')
  events = []
}

describe('the message when a run ends', { timeout: 30_000 }, () => {
  it('carries the outcome, what runs where, the savepoint and the summary, signed over the raw body', async () => {
    await deployV1()
    const url = `${hook.url}${TOKEN_PATH}`
    const result = await upgrade(release('v2', { urls: [url], secret: SECRET }), runtime())
    expect(result.outcome).toBe('upgraded')
    expect(result.savepointPath).toBeDefined()

    expect(hook.delivered()).toHaveLength(1)
    const [sent] = hook.delivered()
    expect(sent!.path).toBe(TOKEN_PATH)
    expect(sent!.headers['content-type']).toBe('application/json')
    const body = json(sent!.body)
    expect(body).toEqual({
      source: 'flink-deploy',
      event: 'run-ended',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      runId: result.runId,
      job: 'orders',
      strategy: 'stop-and-restart',
      outcome: 'upgraded',
      running: [{ role: 'green', jobId: result.greenJobId, cluster: fake.url, state: 'RUNNING' }],
      savepointPath: result.savepointPath,
      summary: result.summary,
      downtimeMs: result.downtimeMs,
      totalMs: expect.any(Number),
      warnings: [],
    })
    // The receiver's check: the HMAC of the bytes as received, with the shared secret.
    expect(sent!.headers['x-flink-deploy-signature']).toBe(hmac(sent!.body))
    expect(sent!.headers['x-flink-deploy-timestamp']).toBe(body.timestamp)

    // Neither the secret nor the webhook is persisted with the run.
    const state = readFileSync(stateFile(), 'utf8')
    expect(state).not.toContain(SECRET)
    expect(state).not.toContain(TOKEN_PATH)
  })

  it('a rolled-back run says so, with the error and the savepoint to recover from', async () => {
    await deployV1()
    const failing = {
      ...release('v3', { urls: [hook.url] }),
      args: ['--name', 'orders', '--fail-after', '1'],
    }
    const result = await upgrade(failing, runtime())
    expect(result.outcome).toBe('rolled-back')
    const body = json(hook.delivered()[0]!.body)
    expect(body).toMatchObject({
      outcome: 'rolled-back',
      savepointPath: result.savepointPath,
      summary: result.summary,
      error: { code: result.error!.code, step: result.error!.step },
    })
    expect(body.running).toEqual([expect.objectContaining({ role: 'blue-restarted', cluster: fake.url })])
    // No signature without a secret.
    expect(hook.delivered()[0]!.headers['x-flink-deploy-signature']).toBeUndefined()
  })

  it('with steps: one message per step as it begins, in order, then the end', async () => {
    await deployV1()
    const result = await upgrade(release('v2', { urls: [hook.url], steps: true }), runtime())
    const bodies = hook.delivered().map((d) => json(d.body))
    const entered = events.flatMap((e) => (e.type === 'step-entered' ? [e.step] : []))
    expect(bodies.slice(0, -1).map((b) => b.step)).toEqual(entered)
    expect(bodies[0]).toMatchObject({ event: 'step-entered', step: 'preflight', runId: result.runId })
    expect(bodies.at(-1)).toMatchObject({ event: 'run-ended', outcome: 'upgraded' })
  })

  it('resume() notifies when given the webhooks again', async () => {
    await deployV1()
    const controller = new AbortController()
    const interrupted = await upgrade(release('v2'), {
      ...runtime(),
      signal: controller.signal,
      onEvent: (e: UpgradeEmitted) => {
        if (e.type === 'step-entered' && e.step === 'verifyingGreen') controller.abort()
      },
    })
    expect(interrupted.error?.code).toBe('CANCELLED')
    expect(hook.attempts).toHaveLength(0)
    const result = await resume({ ...runtime(), notify: { urls: [hook.url] } })
    expect(result.outcome).toBe('upgraded')
    expect(json(hook.delivered()[0]!.body)).toMatchObject({ outcome: 'upgraded', runId: interrupted.runId })
  })
})

describe('a webhook that fails', { timeout: 30_000 }, () => {
  it('is tried again: failing twice, then taking it, is one delivery after three attempts', async () => {
    hook.failNext(503, 500)
    const result = await upgrade(release('v1', { urls: [hook.url], secret: SECRET }), runtime())
    expect(result.outcome).toBe('upgraded')
    expect(hook.attempts.map((a) => a.status)).toEqual([503, 500, 204])
    expect(hook.delivered()).toHaveLength(1)
    // The same message each time, signed the same way.
    expect(new Set(hook.attempts.map((a) => a.body)).size).toBe(1)
    expect(result.warnings).toEqual([])
    expect(events.filter((e) => e.type === 'warning')).toEqual([])
  })

  it('is not tried again when it refuses the message (4xx)', async () => {
    hook.failNext(404)
    const result = await upgrade(release('v1', { urls: [hook.url] }), runtime())
    expect(hook.attempts).toHaveLength(1)
    expect(result.warnings).toEqual([expect.stringContaining('HTTP 404')])
  })

  it('a dead one leaves the outcome as it was, and costs a warning that names only its host', async () => {
    const dead = `${await deadWebhookUrl()}${TOKEN_PATH}?token=${SECRET}`
    const started = Date.now()
    const result = await upgrade(release('v1', { urls: [dead, hook.url], secret: SECRET }), runtime())
    expect(result.outcome).toBe('upgraded')
    // Bounded: four attempts with 0.25 s doubling backoff, not minutes.
    expect(Date.now() - started).toBeLessThan(15_000)
    // The live webhook got every message regardless.
    expect(hook.delivered().at(-1)).toBeDefined()
    expect(json(hook.delivered().at(-1)!.body)).toMatchObject({ event: 'run-ended', outcome: 'upgraded' })

    const warnings = events.flatMap((e) => (e.type === 'warning' ? [e.message] : []))
    const ended = warnings.find((w) => w.includes('run-ended'))
    expect(ended).toMatch(
      /^the run-ended notification to http:\/\/127\.0\.0\.1:\d+ was not delivered after 4 attempts \(ECONNREFUSED\)/,
    )
    expect(result.warnings).toContain(ended)
    const shown = JSON.stringify({ warnings, result })
    expect(shown).not.toContain(SECRET)
    expect(shown).not.toContain(TOKEN_PATH)
  })

  it('with steps, a dead one is given up after its first failed message: one try for the end', async () => {
    const dead = await deadWebhookUrl()
    const result = await upgrade(release('v1', { urls: [dead], steps: true }), runtime())
    expect(result.outcome).toBe('upgraded')
    expect(result.warnings).toEqual([
      expect.stringMatching(/^the step-entered notification to .* after 4 attempts \(ECONNREFUSED\)/),
      expect.stringMatching(/^the run-ended notification to .* after 1 attempt \(ECONNREFUSED\)/),
    ])
  })
})

describe('Slack', () => {
  const result = {
    outcome: 'rolled-back',
    runId: 'r1',
    running: [
      { role: 'blue-restarted', jobId: 'b'.repeat(32), cluster: 'http://flink:8081', state: 'RUNNING' },
    ],
    savepointPath: 's3://savepoints/savepoint-1',
    summary: 'Rolled back: green <failed> & stopped. Now running: blue-restarted job b.',
    totalMs: 8_400,
    warnings: [],
  } as unknown as UpgradeResult
  const run = { runId: 'r1', job: 'orders', strategy: 'stop-and-restart' }

  it("a hooks.slack.com URL gets Slack's text and blocks, unsigned", async () => {
    const slackUrl = 'https://hooks.slack.com/services/T000/B000/XXXXSECRETPATH'
    const posted: string[] = []
    const notifier = createNotifier({ urls: [slackUrl], secret: SECRET, steps: false }, run, {
      warn: () => {},
      // Slack's host, answered by the local webhook: what would be posted there, and how.
      fetch: (url, init) => {
        posted.push(url)
        return fetch(`${hook.url}${new URL(url).pathname}`, init)
      },
    })
    expect(await notifier.ended(result)).toEqual([])
    expect(posted).toEqual([slackUrl])
    const [sent] = hook.delivered()
    expect(sent!.path).toBe('/services/T000/B000/XXXXSECRETPATH')
    expect(sent!.headers['x-flink-deploy-signature']).toBeUndefined()
    const body = json(sent!.body)
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text'])
    expect(body.text).toContain('orders: rolled-back')
    // Slack's control characters escaped.
    expect(body.text).toContain('green &lt;failed&gt; &amp; stopped')
    const blocks = body.blocks as { type: string; text?: { text: string }; fields?: { text: string }[] }[]
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context'])
    expect(blocks[0]!.text!.text).toBe('flink-deploy orders: rolled-back')
    const fields = blocks[2]!.fields!.map((f) => f.text).join('\n')
    expect(fields).toContain(`blue-restarted \`${'b'.repeat(32)}\` on http://flink:8081`)
    expect(fields).toContain('`s3://savepoints/savepoint-1`')
  })

  it('a failed Slack webhook is named by its host only', async () => {
    const warned: string[] = []
    const notifier = createNotifier(
      { urls: ['https://hooks.slack.com/services/T000/B000/XXXXSECRETPATH'], steps: false },
      run,
      {
        warn: (m) => warned.push(m),
        policy: { attempts: 2, backoffMs: 1, attemptTimeoutMs: 1_000, totalMs: 5_000 },
        fetch: async () => new Response(null, { status: 500 }),
      },
    )
    const warnings = await notifier.ended(result)
    expect(warnings).toEqual(warned)
    expect(warnings).toEqual([
      'the run-ended notification to https://hooks.slack.com was not delivered after 2 attempts (HTTP 500); the run itself is not affected',
    ])
  })
})
