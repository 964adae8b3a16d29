/**
 * The CLI's traces through its environment (a child process, as a pipeline runs it) against the fake Flink and
 * a stand-in OTLP/HTTP collector on loopback: the standard variables turn export on, are no foreign settings,
 * and a collector that is down changes nothing. The real collector (Jaeger) is in test/trace.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { attribute, type OtlpCollector, startOtlpCollector } from '../../../test/support/otlp-collector.ts'
import { type CliRun, fakeJar, ndjson, runCli, tempDir } from './test-kit.ts'

let fake: LoopbackFakeFlink
let collector: OtlpCollector
let dir: string

beforeAll(async () => {
  ;[fake, collector] = await Promise.all([
    serveFakeFlink({ version: '2.3.0', slotsPerTaskManager: 16, timing: { programSecondMs: 20 } }),
    startOtlpCollector(),
  ])
})
afterAll(async () => {
  await fake?.close()
  await collector?.close()
})
beforeEach(() => {
  dir = tempDir('flink-deploy-traces-')
  collector.exports.length = 0
})

const upgrade = (job: string, env: Record<string, string>) =>
  runCli(
    [
      'upgrade',
      '--job-name',
      job,
      '--jar',
      fakeJar(dir, `${job}.jar`),
      '--args-json',
      JSON.stringify(['--name', job, '--release', 'v1']),
      '--verify-stabilisation',
      '150ms',
      '--json',
    ],
    { cwd: dir, env: { FLINK_DEPLOY_FLINK_URL: fake.url, ...env } },
  )
const explain = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n---\n${run.stderr}`

describe('traces from the CLI', { timeout: 30_000 }, () => {
  it('OTEL_* variables export the run to the collector, with its headers and service name; no warning', async () => {
    const run = await upgrade('traced', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-team=deploys,authorization=Bearer%20tok-otel-9f2',
      OTEL_SERVICE_NAME: 'deploys',
      TRACEPARENT: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    })
    expect(run.code, explain(run)).toBe(0)
    expect(run.stderr).toBe('')
    const [first] = collector.exports
    expect(first).toMatchObject({
      path: '/v1/traces',
      serviceName: 'deploys',
      headers: { 'x-team': 'deploys', authorization: 'Bearer tok-otel-9f2' },
    })
    const spans = collector.spans()
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(['flink-deploy upgrade', 'preflight', 'startingGreen']),
    )
    const root = spans.find((s) => s.name === 'flink-deploy upgrade')!
    expect(root.parentSpanId).toBe('b7ad6b7169203331')
    // the header's secret is the collector's business, never the output's
    expect(run.stdout).not.toContain('tok-otel-9f2')
  })

  it('without an endpoint nothing is exported (TRACEPARENT alone is not a request for traces)', async () => {
    const run = await upgrade('untraced', {
      TRACEPARENT: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    })
    expect(run.code, explain(run)).toBe(0)
    expect(collector.exports).toEqual([])
  })

  it('a collector that is down leaves the outcome and the exit code as they were, and costs at most the export timeout', async () => {
    const started = Date.now()
    const run = await upgrade('collector-down', {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:1/v1/traces',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    })
    expect(run.code, explain(run)).toBe(0)
    const result = ndjson(run.stdout).at(-1)!
    expect(result).toMatchObject({ type: 'result', outcome: 'upgraded' })
    // the process ended within the 1 s timeout (and its start-up) of its result, not the default 10 s
    expect(Date.now() - started - (result.totalMs as number)).toBeLessThan(5_000)
  })

  it('an endpoint that is no URL: a warning, and the run goes on untraced', async () => {
    const run = await upgrade('bad-endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: '://collector:4318' })
    expect(run.code, explain(run)).toBe(0)
    expect(run.stderr).toContain('warning: traces are off: OTEL_EXPORTER_OTLP_ENDPOINT is not a URL')
  })

  it("apply: a span for the manifest with each job's run under it", async () => {
    for (const job of ['fleet-a', 'fleet-b']) fakeJar(dir, `${job}.jar`)
    writeFileSync(
      join(dir, 'flink-deploy.yaml'),
      [
        'defaults:',
        '  verify-stabilisation: 150ms',
        'jobs:',
        ...['fleet-a', 'fleet-b'].flatMap((job) => [
          `  - job-name: ${job}`,
          `    jar: ${job}.jar`,
          `    args: [--name, ${job}, --release, v1]`,
        ]),
      ].join('\n'),
    )
    const run = await runCli(['apply', '--json'], {
      cwd: dir,
      env: { FLINK_DEPLOY_FLINK_URL: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    })
    expect(run.code, explain(run)).toBe(0)
    const spans = collector.spans()
    const root = spans.find((s) => s.name === 'flink-deploy apply')!
    expect(root).toBeDefined()
    const runs = spans.filter((s) => s.parentSpanId === root.spanId)
    expect(runs.map((r) => attribute(r, 'flink_deploy.job')).sort()).toEqual(['fleet-a', 'fleet-b'])
    expect(runs.every((r) => attribute(r, 'flink_deploy.outcome') === 'upgraded')).toBe(true)
  })
})
