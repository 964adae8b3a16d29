/** `apply`'s trace: one span for the manifest, each job's run under it, a failing job's error on its own span. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SpanStatusCode } from '@opentelemetry/api'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import { apply } from '../fleet/apply.ts'
import { loadManifest } from '../fleet/load-manifest.ts'
import { fileRunStorage } from '../store/run-storage.ts'
import { type InProcessFakeFlink, startFakeFlink } from '../testing/index.ts'
import { traceApply } from './apply-trace.ts'
import { ATTR } from './run-trace.ts'
import { startTracing } from './tracing.ts'

let dir: string
let fake: InProcessFakeFlink
let client: FlinkClient
const exporter = new InMemorySpanExporter()
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flink-deploy-apply-trace-'))
  for (const name of ['orders', 'payments']) writeFileSync(join(dir, `${name}.jar`), `PK\x03\x04${name}`)
  fake = await startFakeFlink({ version: '2.3.0', slotsPerTaskManager: 32, timing: { programSecondMs: 20 } })
  client = createFlinkClient({ baseUrl: fake.url })
  exporter.reset()
})
afterEach(async () => {
  await client.close()
  await fake.stop()
})

it('trace of an apply: a span for the manifest, a run span per job under it; a failed job marks both', async () => {
  const file = join(dir, 'flink-deploy.yaml')
  writeFileSync(
    file,
    `defaults:
  verify-stabilisation: 150ms
  verify-timeout: 5s
jobs:
  - job-name: orders
    jar: orders.jar
    args: [--name, orders, --release, v1]
  - job-name: payments
    jar: payments.jar
    args: [--name, payments, --release, v1, --fail-after, '1', --restart-attempts, '0']
`,
  )
  const { manifest, baseDir } = await loadManifest(file)
  const tracing = (await startTracing({ tracer: provider.getTracer('test'), env: {} }))!
  const traced = traceApply(tracing, fake.url)
  const result = await apply(manifest, {
    client,
    baseDir,
    storageFor: (job) => fileRunStorage(join(dir, `${job}.json`)),
    continueOnFailure: true,
    onJob: traced.onJob,
    onEvent: traced.onEvent,
  })
  traced.end({ result })
  expect(result.jobs.map((j) => j.status)).toEqual(['changed', 'failed'])

  const spans = exporter.getFinishedSpans()
  const root = spans.find((s) => s.name === 'flink-deploy apply')!
  expect(root.status).toMatchObject({ code: SpanStatusCode.ERROR })
  expect(root.attributes[ATTR.errorCode]).toBe('APPLY_FAILED')
  const runs = spans.filter((s) => s.parentSpanContext?.spanId === root.spanContext().spanId)
  expect(Object.fromEntries(runs.map((r) => [r.attributes[ATTR.job], r.attributes[ATTR.outcome]]))).toEqual({
    orders: 'upgraded',
    payments: result.jobs[1]!.result!.outcome,
  })
  const payments = runs.find((r) => r.attributes[ATTR.job] === 'payments')!
  expect(payments.status.code).toBe(SpanStatusCode.ERROR)
  const steps = spans.filter((s) => s.parentSpanContext?.spanId === payments.spanContext().spanId)
  expect(steps.map((s) => s.name)).toContain('preflight')
})
