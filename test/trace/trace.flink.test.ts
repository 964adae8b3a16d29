/**
 * Issue 24's traces on real Flink, read back from a real collector: the built CLI (dist/bin.js, as published)
 * exports over OTLP/HTTP to Jaeger all-in-one when the standard OTEL_* variables say so, and the test finds
 * the spans through Jaeger's query API: an upgrade's run and step spans under the pipeline's TRACEPARENT, and
 * a rollback's error on the step that failed.
 */
import { join } from 'node:path'
import {
  buildExampleJob,
  type FlinkCluster,
  selectedFlinkVersions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { type JaegerServer, type JaegerSpan, type JaegerTrace, startJaeger } from '@flink-deploy/local-jaeger'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPackage, DIST } from '../../packages/cli/src/packaging/build.ts'
import { type CliRun, ndjson, runCli, tempDir } from '../../packages/cli/src/test-kit.ts'

const BUILT_CLI = join(DIST, 'bin.js')
const STEPS = ['preflight', 'stoppingBlue', 'startingGreen', 'verifyingGreen', 'recordingRelease']

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value
const parentOf = (span: JaegerSpan) => span.references.find((r) => r.refType === 'CHILD_OF')?.spanID
const childrenOf = (trace: JaegerTrace, parent: JaegerSpan) =>
  trace.spans.filter((s) => parentOf(s) === parent.spanID).sort((a, b) => a.startTime - b.startTime)
const runSpanOf = (trace: JaegerTrace) => trace.spans.find((s) => s.operationName === 'flink-deploy upgrade')!

for (const version of selectedFlinkVersions()) {
  describe(`trace of runs on real Flink ${version}, in Jaeger`, () => {
    let cluster: FlinkCluster
    let jaeger: JaegerServer
    let jar: string
    let dir: string

    const upgrade = (release: string, extra: string[], env: Record<string, string> = {}): Promise<CliRun> =>
      runCli(
        [
          'upgrade',
          '--job-name',
          'orders-traced',
          '--jar',
          jar,
          '--args-json',
          JSON.stringify(['--name', 'orders-traced', '--release', release, '--rate', '200', ...extra]),
          '--verify-stabilisation',
          '3s',
          '--verify-timeout',
          '90s',
          '--json',
        ],
        {
          cwd: dir,
          bin: BUILT_CLI,
          env: { FLINK_DEPLOY_FLINK_URL: cluster.url, ...env },
          timeoutMs: 170_000,
        },
      )
    const tracing = (service: string, extra: Record<string, string> = {}) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
      OTEL_SERVICE_NAME: service,
      // a collector behind a gateway needs a header: given the standard way, and ignored by Jaeger
      OTEL_EXPORTER_OTLP_HEADERS: 'x-deploy-team=platform',
      ...extra,
    })
    const result = (run: CliRun) => ndjson(run.stdout).at(-1)!
    /** The one trace of `service`, once Jaeger has all `spans` of it (the CLI exported before it exited). */
    const onlyTrace = async (service: string, spans: (t: JaegerTrace) => boolean): Promise<JaegerTrace> => {
      let traces: JaegerTrace[] = []
      await expect
        .poll(
          async () => {
            traces = await jaeger.traces(service)
            return traces.length === 1 && spans(traces[0]!)
          },
          { timeout: 10_000, interval: 200 },
        )
        .toBe(true)
      return traces[0]!
    }

    beforeAll(async () => {
      dir = tempDir('flink-deploy-trace-real-')
      ;[cluster, jar, jaeger] = await Promise.all([
        startFlinkCluster({ version }),
        buildExampleJob(version),
        startJaeger(),
        buildPackage(),
      ])
      const first = await upgrade('v1', [])
      expect(first.code, first.stdout + first.stderr).toBe(0)
    })
    afterAll(async () => {
      await jaeger?.stop()
      await cluster?.stop()
    })

    it('trace of an upgrade: the run span under the pipeline TRACEPARENT, with its step and check spans', async () => {
      const service = `deploys-upgrade-${version}`
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
      const pipelineSpan = '00f067aa0ba902b7'
      const run = await upgrade(
        'v2',
        [],
        tracing(service, { TRACEPARENT: `00-${traceId}-${pipelineSpan}-01` }),
      )
      expect(run.code, run.stdout + run.stderr).toBe(0)
      const done = result(run)

      const trace = await onlyTrace(service, (t) =>
        t.spans.some((s) => s.operationName === 'recordingRelease'),
      )
      expect(trace.traceID).toBe(traceId)
      const root = runSpanOf(trace)
      expect(parentOf(root)).toBe(pipelineSpan)
      expect(trace.processes[root.processID]?.serviceName).toBe(service)
      expect(tag(root, 'flink_deploy.job')).toBe('orders-traced')
      expect(tag(root, 'flink_deploy.cluster')).toBe(cluster.url)
      expect(tag(root, 'flink_deploy.strategy')).toBe('stop-and-restart')
      expect(tag(root, 'flink_deploy.outcome')).toBe('upgraded')
      expect(tag(root, 'flink_deploy.savepoint.path')).toBe(done.savepointPath)
      expect(tag(root, 'flink_deploy.downtime_ms')).toBe(Math.round(done.downtimeMs as number))
      const estimate = done.estimate as { downtimeMs: number }
      expect(estimate.downtimeMs).toBeGreaterThan(0)
      expect(tag(root, 'flink_deploy.estimated_downtime_ms')).toBe(estimate.downtimeMs)
      expect(tag(root, 'error')).toBeUndefined()

      const steps = childrenOf(trace, root)
      expect(steps.map((s) => s.operationName)).toEqual(STEPS)
      const stop = steps.find((s) => s.operationName === 'stoppingBlue')!
      const taken = stop.logs.find((l) =>
        l.fields.some((f) => f.key === 'event' && f.value === 'savepoint-taken'),
      )
      expect(taken?.fields).toContainEqual({
        key: 'flink_deploy.savepoint.path',
        type: 'string',
        value: done.savepointPath,
      })
      const checks = childrenOf(trace, steps.find((s) => s.operationName === 'verifyingGreen')!)
      expect(checks.map((c) => c.operationName)).toEqual(
        expect.arrayContaining([
          'check all-vertices-running',
          'check restored-from-savepoint',
          'check stable-for',
        ]),
      )
      expect(checks.every((c) => tag(c, 'flink_deploy.check.passed') === true)).toBe(true)
    })

    it('trace of a rollback: the error and its code on the failing step span and on the run span', async () => {
      const service = `deploys-rollback-${version}`
      const run = await upgrade('v2', ['--fail-after', '1', '--restart-attempts', '0'], tracing(service))
      expect(run.code, run.stdout + run.stderr).toBe(3)
      const done = result(run) as { outcome: string; error: { step: string; code: string; message: string } }
      expect(done.outcome).toBe('rolled-back')

      const trace = await onlyTrace(service, (t) => t.spans.length > STEPS.length)
      const root = runSpanOf(trace)
      expect(parentOf(root)).toBeUndefined()
      expect(tag(root, 'flink_deploy.outcome')).toBe('rolled-back')
      expect(tag(root, 'otel.status_code')).toBe('ERROR')
      expect(tag(root, 'flink_deploy.error.code')).toBe(done.error.code)
      expect(root.logs.some((l) => l.fields.some((f) => f.value === 'rollback-started'))).toBe(true)

      const failing = childrenOf(trace, root).filter((s) => tag(s, 'otel.status_code') === 'ERROR')
      expect(failing.map((s) => s.operationName)).toEqual([done.error.step])
      expect(tag(failing[0]!, 'flink_deploy.error.code')).toBe(done.error.code)
      expect(tag(failing[0]!, 'otel.status_description')).toBe(done.error.message)
      expect(tag(failing[0]!, 'error')).toBe(true)
      // a failed check says which one, under the failing step
      expect(childrenOf(trace, failing[0]!).some((c) => tag(c, 'flink_deploy.check.passed') === false)).toBe(
        true,
      )
    })
  })
}
