/**
 * `--notify`, FLINK_DEPLOY_NOTIFY and the config key reach core's notifier: the CLI as a user runs it (a
 * child process) against the fake Flink on loopback, posting to a webhook on loopback.
 */
import { createHmac } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deadWebhookUrl, startWebhookReceiver, type WebhookReceiver } from '@flink-deploy/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cliOnFakeFlink, explain } from './cli-on-fake-flink.ts'
import { fakeJar, ndjson } from './test-kit.ts'

const ground = cliOnFakeFlink('notified')
const { cli } = ground

const SECRET = 'whsec-5eeded-never-shown-7'
const TOKEN_PATH = '/services/T0K3N-in-the-path-9f8e7d'

let hook: WebhookReceiver
let other: WebhookReceiver

beforeEach(async () => {
  hook = await startWebhookReceiver()
  other = await startWebhookReceiver()
})
afterEach(async () => {
  await hook.close()
  await other.close()
})

const release = () => [
  'upgrade',
  '--job-name',
  ground.job,
  '--jar',
  fakeJar(ground.dir, `${ground.job}.jar`),
  '--arg',
  '--name',
  '--arg',
  ground.job,
  '--verify-stabilisation',
  '150ms',
  '--json',
]

const bodyOf = (r: WebhookReceiver) => JSON.parse(r.delivered()[0]!.body) as Record<string, unknown>
const signed = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`

describe('notifications from the CLI', { timeout: 30_000 }, () => {
  it('--notify (repeatable) and --notify-secret: every webhook told, signed; the secret never shown', async () => {
    const run = await cli([
      ...release(),
      '--notify',
      `${hook.url}${TOKEN_PATH}`,
      '--notify',
      other.url,
      '--notify-secret',
      SECRET,
    ])
    expect(run.code, explain(run)).toBe(0)
    const result = ndjson(run.stdout).at(-1)!
    for (const r of [hook, other]) {
      expect(r.delivered()).toHaveLength(1)
      expect(bodyOf(r)).toMatchObject({
        event: 'run-ended',
        job: ground.job,
        outcome: 'upgraded',
        runId: result.runId,
      })
      expect(r.delivered()[0]!.headers['x-flink-deploy-signature']).toBe(signed(r.delivered()[0]!.body))
    }
    expect(hook.delivered()[0]!.path).toBe(TOKEN_PATH)
    expect(run.stdout + run.stderr).not.toContain(SECRET)
  })

  it('FLINK_DEPLOY_NOTIFY (one URL per line) and FLINK_DEPLOY_NOTIFY_SECRET, with steps from the config file', async () => {
    const config = join(ground.dir, 'deploy.json')
    writeFileSync(config, JSON.stringify({ 'notify-steps': true }))
    const run = await cli([...release(), '--config', config], {
      FLINK_DEPLOY_NOTIFY: `${hook.url}\n${other.url}\n`,
      FLINK_DEPLOY_NOTIFY_SECRET: SECRET,
    })
    expect(run.code, explain(run)).toBe(0)
    for (const r of [hook, other]) {
      const events = r.delivered().map((d) => (JSON.parse(d.body) as { event: string }).event)
      expect(events[0]).toBe('step-entered')
      expect(events.at(-1)).toBe('run-ended')
      expect(r.delivered()[0]!.headers['x-flink-deploy-signature']).toBe(signed(r.delivered()[0]!.body))
    }
  })

  it('a dead webhook: exit 0 as without it, one warning naming its host only', async () => {
    const dead = await deadWebhookUrl()
    const run = await cli([...release(), '--notify', `${dead}${TOKEN_PATH}`, '--notify-secret', SECRET])
    expect(run.code, explain(run)).toBe(0)
    const lines = ndjson(run.stdout)
    expect(lines.at(-1)).toMatchObject({ outcome: 'upgraded', exitCode: 0 })
    const warnings = lines.filter((l) => l.type === 'warning').map((l) => l.message as string)
    expect(warnings).toEqual([
      `the run-ended notification to ${dead} was not delivered after 4 attempts (ECONNREFUSED); the run itself is not affected`,
    ])
    expect(run.stdout + run.stderr).not.toContain(SECRET)
    expect(run.stdout + run.stderr).not.toContain(TOKEN_PATH)
  })

  it("promote takes --notify again (a run's state never holds it): blue-green ends there", async () => {
    const first = await cli(release())
    expect(first.code, explain(first)).toBe(0)
    const waiting = await cli([...release(), '--strategy', 'blue-green', '--manual-promotion'])
    expect(waiting.code, explain(waiting)).toBe(0)
    const promoted = await cli(['promote', '--job-name', ground.job, '--notify', hook.url])
    expect(promoted.code, explain(promoted)).toBe(0)
    expect(hook.delivered()).toHaveLength(1)
    expect(bodyOf(hook)).toMatchObject({
      event: 'run-ended',
      job: ground.job,
      strategy: 'blue-green',
      outcome: 'upgraded',
    })
  })

  it('apply --notify: each job of the manifest posts the end of its run', async () => {
    const jar = fakeJar(ground.dir, 'fleet.jar')
    const manifest = join(ground.dir, 'flink-deploy.yaml')
    const jobs = [`${ground.job}-a`, `${ground.job}-b`]
    writeFileSync(
      manifest,
      `defaults:\n  jar: ${jar}\n  verify-stabilisation: 150ms\njobs:\n${jobs.map((j) => `  - job-name: ${j}\n    args: [--name, ${j}]\n`).join('')}`,
    )
    const run = await cli(['apply', '-f', manifest, '--notify', hook.url], {
      FLINK_DEPLOY_NOTIFY_SECRET: SECRET,
    })
    expect(run.code, explain(run)).toBe(0)
    const told = hook.delivered().map((d) => (JSON.parse(d.body) as { job: string }).job)
    expect(told.sort()).toEqual(jobs)
    for (const d of hook.delivered()) expect(d.headers['x-flink-deploy-signature']).toBe(signed(d.body))
  })

  it('a webhook that is not a URL: exit 2 before anything is sent, without echoing it', async () => {
    const run = await cli([...release(), '--notify', `not-a-url${TOKEN_PATH}`])
    expect(run.code, explain(run)).toBe(2)
    expect(run.stderr).toContain('--notify')
    expect(run.stderr).not.toContain(TOKEN_PATH)
    expect(ground.fake.cluster.jobs().filter((j) => j.name === ground.job)).toEqual([])
  })
})
