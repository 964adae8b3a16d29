/**
 * Tracing, when asked for through OpenTelemetry's standard variables: OTLP/HTTP export to
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces) with
 * OTEL_EXPORTER_OTLP_HEADERS, the service named by OTEL_SERVICE_NAME, the run a child of TRACEPARENT. The
 * OpenTelemetry SDK is imported only then: a run without tracing loads none of it.
 */
import type { Context, Tracer } from '@opentelemetry/api'
import type { RunTrace, RunTraceInfo } from './run-trace.ts'

export interface Tracing {
  /** Starts the spans of one run (a child of TRACEPARENT's span when it was set). */
  run(info: RunTraceInfo): RunTrace
  /**
   * Exports what is left and stops; a collector that does not answer costs at most `timeoutMs` (default
   * OTEL_EXPORTER_OTLP_TIMEOUT, else 10 s). Never throws.
   */
  shutdown(timeoutMs?: number): Promise<void>
}

export interface TracingOptions {
  /** Where the variables come from (default process.env). */
  env?: Record<string, string | undefined>
  /** Your own tracer (an SDK you set up): used instead of an exporter from the variables, and never shut down. */
  tracer?: Tracer
  /** The parent of the run spans with your own tracer (default: TRACEPARENT, else none). */
  parent?: Context
}

/** Whether the variables ask for traces: an OTLP endpoint is set, and the SDK is not disabled. */
export function tracingRequested(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim())
}

/**
 * The tracing the options or the variables ask for, or undefined (nothing loaded). A broken setting (an
 * endpoint that is no URL) is a warning through `onWarning` and no tracing: traces never stop a run.
 */
export async function startTracing(
  options: TracingOptions = {},
  onWarning: (message: string) => void = () => {},
): Promise<Tracing | undefined> {
  const env = options.env ?? process.env
  if (!options.tracer && !tracingRequested(env)) return undefined
  try {
    const otlp = await import('./otlp.ts')
    return options.tracer
      ? otlp.tracingWith(options.tracer, options.parent ?? otlp.parentFrom(env))
      : otlp.otlpTracing(env)
  } catch (error) {
    onWarning(`traces are off: ${error instanceof Error ? error.message : String(error)}`)
    return undefined
  }
}
