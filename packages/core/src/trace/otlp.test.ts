import { describe, expect, it } from 'vitest'
import { exportTimeoutMs, parseHeaders, tracesUrl } from './otlp.ts'

describe('OTLP settings from the standard variables', () => {
  it('the traces endpoint is used as given; the general one gets /v1/traces', () => {
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces')
    expect(
      tracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t/x',
      }),
    ).toBe('http://t/x')
  })

  it('headers are comma-separated key=value pairs with URL-encoded values; trace-specific ones win', () => {
    expect(
      parseHeaders({
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-team = deploys,broken',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces',
      }),
    ).toEqual({ Authorization: 'Bearer abc', 'x-team': 'traces' })
  })

  it('the export at exit waits OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT ms, else 10 s', () => {
    expect(exportTimeoutMs({})).toBe(10_000)
    expect(exportTimeoutMs({ OTEL_EXPORTER_OTLP_TIMEOUT: '2500' })).toBe(2_500)
    expect(
      exportTimeoutMs({ OTEL_EXPORTER_OTLP_TIMEOUT: '2500', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700' }),
    ).toBe(700)
    expect(exportTimeoutMs({ OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' })).toBe(10_000)
  })
})
