/**
 * A real Jaeger all-in-one on loopback: an OTLP/HTTP receiver to export traces to, in-memory storage, and
 * Jaeger's query HTTP API (`/api/traces?service=...`) to read them back. Every port is a free one; the other
 * receivers of Jaeger's default configuration (gRPC, Thrift, Zipkin) and its own metrics are left off.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePorts, spawnWatched, superviseLocalServer } from '@flink-deploy/local-process'
import { jaegerBinary } from './binary.ts'
import { JAEGER_VERSION } from './paths.ts'

const HOST = '127.0.0.1'

export interface StartJaegerOptions {
  /** how long to wait for the query API to answer, once the binary is built (default 30 000 ms) */
  startTimeoutMs?: number
  /** progress messages, the build's too (default: none) */
  log?: (message: string) => void
}

/** A span as Jaeger's query API returns it (the fields the tests read). */
export interface JaegerSpan {
  traceID: string
  spanID: string
  operationName: string
  references: { refType: string; traceID: string; spanID: string }[]
  startTime: number
  duration: number
  tags: { key: string; type: string; value: unknown }[]
  logs: { timestamp: number; fields: { key: string; value: unknown }[] }[]
  processID: string
}

export interface JaegerTrace {
  traceID: string
  spans: JaegerSpan[]
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>
}

export interface JaegerServer {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT: the OTLP/HTTP receiver's base URL (traces go to /v1/traces). */
  otlpEndpoint: string
  /** Jaeger's query HTTP API, e.g. http://127.0.0.1:41234 (`/api/traces`, `/api/services`). */
  queryUrl: string
  pid: number
  logFile: string
  /** The traces of `service` Jaeger holds (newest first, at most `limit`, default 20). */
  traces(service: string, limit?: number): Promise<JaegerTrace[]>
  /** SIGTERM (SIGKILL after 10 s), then removes the work folder unless the server had died. Safe to call twice. */
  stop(): Promise<void>
}

export async function startJaeger(options: StartJaegerOptions = {}): Promise<JaegerServer> {
  const log = options.log ?? (() => {})
  const binary = await jaegerBinary({ log })
  const workDir = await mkdtemp(join(tmpdir(), 'local-jaeger-'))
  const ports = await findFreePorts(3, HOST)
  const [otlpPort, queryPort, queryGrpcPort] = ports as [number, number, number]
  const config = join(workDir, 'config.yaml')
  const logFile = join(workDir, 'jaeger.log')
  await writeFile(config, jaegerConfig(otlpPort, queryPort, queryGrpcPort))
  const t0 = Date.now()
  const proc = spawnWatched({
    name: 'jaeger',
    command: binary,
    args: ['--config', `file:${config}`],
    outFile: logFile,
  })
  const queryUrl = `http://${HOST}:${queryPort}`
  const server = await superviseLocalServer({
    label: 'Jaeger',
    proc,
    logFile,
    ports,
    workDir,
    timeoutMs: options.startTimeoutMs ?? 30_000,
    ready: () =>
      fetch(`${queryUrl}/api/services`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      ),
  })
  log(
    `Jaeger ${JAEGER_VERSION} ready after ${Date.now() - t0} ms: OTLP http://${HOST}:${otlpPort}, query ${queryUrl}`,
  )
  return {
    otlpEndpoint: `http://${HOST}:${otlpPort}`,
    queryUrl,
    pid: proc.pid,
    logFile,
    stop: server.stop,
    async traces(service, limit = 20) {
      const url = `${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=${limit}&lookback=1h`
      const response = await fetch(url)
      // An unknown service is a 404 until its first span arrives.
      if (response.status === 404) return []
      if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`)
      return ((await response.json()) as { data: JaegerTrace[] | null }).data ?? []
    },
  }
}

/** Jaeger v2's configuration (an OpenTelemetry Collector's): OTLP/HTTP in, memory store, query API out. */
function jaegerConfig(otlpPort: number, queryPort: number, queryGrpcPort: number): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    # its own requests' traces would go to localhost:4317, and its shutdown would wait 10 s to flush them
    enable_tracing: false
    storage:
      traces: memstore
    http:
      endpoint: ${HOST}:${queryPort}
    grpc:
      endpoint: ${HOST}:${queryGrpcPort}
receivers:
  otlp:
    protocols:
      http:
        endpoint: ${HOST}:${otlpPort}
processors:
  batch:
    # spans are queryable a moment after they arrive, not after the default 200 ms batch window
    timeout: 50ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`
}
