/**
 * A stand-in OTLP/HTTP collector on loopback for the fast tests of the CLI's and the Action's traces: it keeps
 * every export (path, headers, JSON body) and answers 200. The real collector, Jaeger, is in test/trace.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface OtlpSpan {
  name: string
  traceId: string
  spanId: string
  parentSpanId?: string
  attributes: { key: string; value: { stringValue?: string; intValue?: string; boolValue?: boolean } }[]
  status?: { code?: number; message?: string }
}

export interface OtlpExport {
  path: string
  headers: IncomingHttpHeaders
  serviceName?: string
  spans: OtlpSpan[]
}

export interface OtlpCollector {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string
  exports: OtlpExport[]
  spans(): OtlpSpan[]
  close(): Promise<void>
}

interface Body {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] }
    scopeSpans: { spans: OtlpSpan[] }[]
  }[]
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const exports: OtlpExport[] = []
  const server = createServer((req, res) => {
    let text = ''
    req.setEncoding('utf8').on('data', (d: string) => {
      text += d
    })
    req.on('end', () => {
      const body = JSON.parse(text) as Body
      for (const r of body.resourceSpans)
        exports.push({
          path: req.url ?? '',
          headers: req.headers,
          serviceName: r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
          spans: r.scopeSpans.flatMap((s) => s.spans),
        })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports,
    spans: () => exports.flatMap((e) => e.spans),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** A span attribute's value, whatever its type. */
export function attribute(span: OtlpSpan, key: string): string | boolean | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value?.stringValue ?? value?.intValue ?? value?.boolValue
}
