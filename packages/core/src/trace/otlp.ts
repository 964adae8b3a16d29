/**
 * The OpenTelemetry SDK set up from the standard variables, loaded by startTracing() only when they ask for
 * traces. Endpoint and headers are read here and handed to the exporter (not left to its own reading of
 * process.env), so a caller's `env` is the one that counts.
 */
import { type Context, defaultTextMapGetter, ROOT_CONTEXT, type Tracer } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { traceRun } from './run-trace.ts'
import type { Tracing } from './tracing.ts'

declare const FLINK_DEPLOY_VERSION: string | undefined

const DEFAULT_SERVICE = 'flink-deploy'
/** Spans are exported at shutdown, or sooner when a run is long: a killed process loses at most this much. */
const EXPORT_DELAY_MS = 2_000

type Env = Record<string, string | undefined>

export function otlpTracing(env: Env): Tracing {
  const url = tracesUrl(env)
  const exporter = new OTLPTraceExporter({
    url,
    headers: parseHeaders(env),
    timeoutMillis: exportTimeoutMs(env),
  })
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE,
      'service.version': typeof FLINK_DEPLOY_VERSION === 'string' ? FLINK_DEPLOY_VERSION : 'dev',
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: EXPORT_DELAY_MS })],
  })
  const tracing = tracingWith(provider.getTracer('flink-deploy'), parentFrom(env))
  return {
    run: tracing.run,
    async shutdown(timeoutMs = exportTimeoutMs(env)) {
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
        timer.unref()
      })
      await Promise.race([provider.shutdown().catch(() => undefined), deadline])
      clearTimeout(timer)
    },
  }
}

export function tracingWith(tracer: Tracer, parent: Context): Tracing {
  return {
    run: (info) => traceRun(tracer, info, parent),
    shutdown: async () => {},
  }
}

/**
 * How long the export at exit may take: the standard OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT (ms), 10 s by default.
 * A collector that is down is retried with backoff until then; the run's result is out already.
 */
export function exportTimeoutMs(env: Env): number {
  for (const raw of [env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, env.OTEL_EXPORTER_OTLP_TIMEOUT]) {
    const ms = Number(raw?.trim() || Number.NaN)
    if (Number.isFinite(ms) && ms > 0) return ms
  }
  return 10_000
}

/** TRACEPARENT (and TRACESTATE), W3C trace context, as CI systems pass it to a step. */
export function parentFrom(env: Env): Context {
  const carrier: Record<string, string> = {}
  if (env.TRACEPARENT) carrier.traceparent = env.TRACEPARENT.trim()
  if (env.TRACESTATE) carrier.tracestate = env.TRACESTATE.trim()
  return new W3CTraceContextPropagator().extract(ROOT_CONTEXT, carrier, defaultTextMapGetter)
}

/** The signal-specific endpoint as given; the general one is a base to which /v1/traces is added (OTLP spec). */
export function tracesUrl(env: Env): string {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()
  const url = specific || `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.trim().replace(/\/+$/, '')}/v1/traces`
  if (!URL.canParse(url))
    throw new Error(
      `${specific ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT'} is not a URL`,
    )
  return url
}

/** `key1=value1,key2=value2`, values URL-encoded (W3C baggage form, as the OTLP exporter spec says). */
export function parseHeaders(env: Env): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const raw of [env.OTEL_EXPORTER_OTLP_HEADERS, env.OTEL_EXPORTER_OTLP_TRACES_HEADERS]) {
    for (const pair of raw?.split(',') ?? []) {
      const at = pair.indexOf('=')
      if (at <= 0) continue
      const key = decodeURIComponent(pair.slice(0, at).trim())
      if (key) headers[key] = decodeURIComponent(pair.slice(at + 1).trim())
    }
  }
  return headers
}
