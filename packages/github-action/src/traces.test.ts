/**
 * The built Action bundle with OpenTelemetry's variables in the step's env exports the run's spans (the SDK
 * inside the one-file bundle, loaded only then); without them it exports nothing. A stand-in collector on
 * loopback receives them.
 */
import { rmSync } from 'node:fs'
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { attribute, type OtlpCollector, startOtlpCollector } from '../../../test/support/otlp-collector.ts'
import { fakeJar, runDist, workspace } from './action-test-kit.ts'

let fake: LoopbackFakeFlink
let collector: OtlpCollector
let dir: string

beforeAll(async () => {
  ;[fake, collector] = await Promise.all([
    serveFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } }),
    startOtlpCollector(),
  ])
})
afterAll(async () => {
  await fake?.close()
  await collector?.close()
})
beforeEach(() => {
  dir = workspace()
  collector.exports.length = 0
  return () => rmSync(dir, { recursive: true, force: true })
})

const deploy = (job: string, env: Record<string, string>) =>
  runDist(
    {
      'flink-url': fake.url,
      jar: fakeJar(dir, `${job}.jar`),
      'job-name': job,
      args: ['--name', job, '--release', 'v1'].join('\n'),
      'verify-stabilisation-ms': '150',
    },
    { workspace: dir, env },
  )

describe('traces from the Action', () => {
  it("OTEL_* in the step's env: the run's spans reach the collector, under the workflow's TRACEPARENT", async () => {
    const r = await deploy('traced', {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'deploys',
      TRACEPARENT: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(collector.exports[0]?.serviceName).toBe('deploys')
    const spans = collector.spans()
    const root = spans.find((s) => s.name === 'flink-deploy upgrade')!
    expect(root.parentSpanId).toBe('b7ad6b7169203331')
    expect(attribute(root, 'flink_deploy.job')).toBe('traced')
    expect(attribute(root, 'flink_deploy.outcome')).toBe('upgraded')
    expect(spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name)).toEqual(
      expect.arrayContaining(['preflight', 'startingGreen', 'verifyingGreen']),
    )
  })

  it('without them nothing is exported', async () => {
    const r = await deploy('untraced', {})
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(collector.exports).toEqual([])
  })
})
