/**
 * The spans of real runs against the fake Flink, caught by the SDK's in-memory exporter: the run span with its
 * attributes, a span per step and per check, the failing step's error, TRACEPARENT as the parent, and a tracer
 * that throws leaving the outcome as it was.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SpanStatusCode, type Tracer } from '@opentelemetry/api'
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import type { UpgradeOptions } from '../upgrade/options.ts'
import { upgrade } from '../upgrade/run-upgrade.ts'
import { ATTR } from './run-trace.ts'
import { startTracing, type Tracing, tracingRequested } from './tracing.ts'

let dir: string
let fake: InProcessFakeFlink
let client: FlinkClient
let exporter: InMemorySpanExporter
let provider: TracerProvider

function jar(name: string, marker: string): string {
  const path = join(dir, name)
  writeFileSync(path, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(marker)]))
  return path
}

const release = (build: string, extra: string[] = []): UpgradeOptions => ({
  jobName: 'orders',
  jar: jar(`orders-${build}.jar`, build),
  args: ['--name', 'orders', '--release', build === 'v1' ? 'v1' : 'v2', ...extra],
  verify: { checkpoints: 1, stabilisationMs: 150, timeoutMs: 5_000 },
  timeouts: { blueSettleMs: 200 },
})

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flink-deploy-trace-'))
  fake = await startFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
  client = createFlinkClient({ baseUrl: fake.url })
  exporter = new InMemorySpanExporter()
  provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
})
afterEach(async () => {
  await provider.shutdown()
  await client.close()
  await fake.stop()
})

/** One traced upgrade, as the CLI runs it: tracing, the run's events to its trace, the result to end it. */
async function tracedUpgrade(tracing: Tracing, options: UpgradeOptions) {
  const run = tracing.run({
    command: 'upgrade',
    job: 'orders',
    cluster: fake.url,
    strategy: 'stop-and-restart',
  })
  const result = await upgrade(options, {
    client,
    stateFile: join(dir, 'state.json'),
    onEvent: (e) => run.onEvent(e),
  })
  run.end({ result })
  return result
}

const tracingWith = async (tracer: Tracer, env: Record<string, string> = {}) =>
  (await startTracing({ tracer, env }))!
const spans = () => exporter.getFinishedSpans()
const runSpan = () => spans().find((s) => s.name === 'flink-deploy upgrade')!
const childrenOf = (parent: ReadableSpan) =>
  spans().filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId)
const named = (name: string) => spans().filter((s) => s.name === name)

describe('trace of a run', () => {
  it('an upgrade: a run span with job, cluster, strategy, savepoint, outcome and downtime; a span per step and per check', async () => {
    const tracing = await tracingWith(provider.getTracer('test'))
    await tracedUpgrade(tracing, release('v1'))
    exporter.reset()
    const result = await tracedUpgrade(tracing, release('v2'))
    expect(result.outcome).toBe('upgraded')

    const run = runSpan()
    expect(run.parentSpanContext).toBeUndefined()
    expect(run.status.code).toBe(SpanStatusCode.OK)
    expect(run.attributes).toMatchObject({
      [ATTR.job]: 'orders',
      [ATTR.cluster]: fake.url,
      [ATTR.strategy]: 'stop-and-restart',
      [ATTR.outcome]: 'upgraded',
      [ATTR.savepointPath]: result.savepointPath,
      [ATTR.downtimeMs]: Math.round(result.downtimeMs!),
      [ATTR.runId]: result.runId,
      [ATTR.greenJobId]: result.greenJobId,
      [ATTR.blueJobId]: result.blueJobId,
    })
    const steps = childrenOf(run).map((s) => s.name)
    expect(steps).toEqual(result.steps.map((s) => s.step))
    expect(steps).toEqual([
      'preflight',
      'stoppingBlue',
      'startingGreen',
      'verifyingGreen',
      'recordingRelease',
    ])
    const stop = named('stoppingBlue')[0]!
    expect(stop.events.find((e) => e.name === 'savepoint-taken')?.attributes).toMatchObject({
      [ATTR.savepointPath]: result.savepointPath,
    })
    expect(named('startingGreen')[0]!.events.map((e) => e.name)).toContain('job-submitted')

    const verify = named('verifyingGreen')[0]!
    const checks = childrenOf(verify)
    expect(checks.map((c) => c.name).sort()).toEqual(result.checks.map((c) => `check ${c.name}`).sort())
    expect(
      checks.every((c) => c.status.code === SpanStatusCode.OK && c.attributes[ATTR.checkPassed] === true),
    ).toBe(true)
    // every span lies within the run's
    const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6
    for (const s of spans()) {
      expect(ms(s.startTime)).toBeGreaterThanOrEqual(ms(run.startTime) - 1)
      expect(ms(s.endTime)).toBeLessThanOrEqual(ms(run.endTime) + 1)
    }
  })

  it('a rollback: the failing step span and run span have an error status and the error code; rollback steps follow', async () => {
    const tracing = await tracingWith(provider.getTracer('test'))
    await tracedUpgrade(tracing, release('v1'))
    exporter.reset()
    const result = await tracedUpgrade(
      tracing,
      release('v3', ['--fail-after', '1', '--restart-attempts', '0']),
    )
    expect(result.outcome).toBe('rolled-back')
    const code = result.error!.code

    const run = runSpan()
    expect(run.status).toMatchObject({ code: SpanStatusCode.ERROR })
    expect(run.attributes).toMatchObject({
      [ATTR.outcome]: 'rolled-back',
      [ATTR.errorCode]: code,
      [ATTR.errorStep]: 'verifyingGreen',
    })
    expect(run.events.map((e) => e.name)).toContain('rollback-started')
    const failing = named('verifyingGreen')[0]!
    expect(failing.status).toMatchObject({ code: SpanStatusCode.ERROR, message: result.error!.message })
    expect(failing.attributes[ATTR.errorCode]).toBe(code)
    expect(childrenOf(failing).some((c) => c.status.code === SpanStatusCode.ERROR)).toBe(true)
    // the other steps did not fail
    const others = childrenOf(run).filter((s) => s !== failing)
    expect(others.length).toBeGreaterThan(2)
    expect(others.every((s) => s.status.code !== SpanStatusCode.ERROR)).toBe(true)
  })

  it('TRACEPARENT makes the run span a child of that span, in its trace', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c'
    const parentId = 'b7ad6b7169203331'
    const tracing = await tracingWith(provider.getTracer('test'), {
      TRACEPARENT: `00-${traceId}-${parentId}-01`,
    })
    await tracedUpgrade(tracing, release('v1'))
    const run = runSpan()
    expect(run.spanContext().traceId).toBe(traceId)
    expect(run.parentSpanContext?.spanId).toBe(parentId)
    expect(spans().every((s) => s.spanContext().traceId === traceId)).toBe(true)
  })

  it('a tracer that throws changes nothing: the run ends as it would have', async () => {
    const broken = new Proxy(provider.getTracer('test'), {
      get: () => () => {
        throw new Error('exporter queue is on fire')
      },
    })
    const tracing = await tracingWith(broken)
    const result = await tracedUpgrade(tracing, release('v1'))
    expect(result.outcome).toBe('upgraded')
  })

  it('a dead collector costs the export, not the run, and shutdown returns', async () => {
    const tracing = await startTracing({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'deploys' },
    })
    expect(tracing).toBeDefined()
    const result = await tracedUpgrade(tracing!, release('v1'))
    expect(result.outcome).toBe('upgraded')
    const started = Date.now()
    await tracing!.shutdown(1_500)
    expect(Date.now() - started).toBeLessThan(3_000)
  })
})

describe('the variables that turn tracing on', () => {
  it('an OTLP endpoint turns it on; none, OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none leave it off', async () => {
    expect(tracingRequested({})).toBe(false)
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'x', TRACEPARENT: '00-1-2-01' })).toBe(false)
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true)
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true)
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SDK_DISABLED: 'true' })).toBe(
      false,
    )
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_EXPORTER: 'none' })).toBe(
      false,
    )
    expect(await startTracing({ env: {} })).toBeUndefined()
  })

  it('an endpoint that is no URL is a warning without its value, and no tracing', async () => {
    const warnings: string[] = []
    const tracing = await startTracing(
      { env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url secret-ish' } },
      (m) => warnings.push(m),
    )
    expect(tracing).toBeUndefined()
    expect(warnings).toEqual(['traces are off: OTEL_EXPORTER_OTLP_ENDPOINT is not a URL'])
  })
})
