import { describe, expect, it } from 'vitest'
import { REDACTED, redact, registerSecret } from './redact.ts'

describe('redact', () => {
  it('removes registered secrets and their base64 form', () => {
    registerSecret('tok-1234567890')
    const b64 = Buffer.from('tok-1234567890').toString('base64')
    expect(redact(`header Bearer tok-1234567890 and ${b64}`)).toBe(
      `header Bearer ${REDACTED} and ${REDACTED}`,
    )
  })

  it('removes credentials it was never told about: URL user-info, auth headers, key=value and JSON forms', () => {
    expect(redact('GET https://bob:pw@flink:8081/v1')).toBe(`GET https://${REDACTED}@flink:8081/v1`)
    expect(redact('Authorization: Bearer abc.def')).toBe(`Authorization: Bearer ${REDACTED}`)
    expect(redact('url?token=abc123&x=1')).toBe(`url?token=${REDACTED}&x=1`)
    expect(redact('{"password": "pw1"}')).toBe(`{"password":"${REDACTED}"}`)
  })

  it('leaves ordinary words alone', () => {
    expect(redact('Invalid auth.token: token is empty')).toBe('Invalid auth.token: token is empty')
    registerSecret('abc')
    expect(redact('abc')).toBe('abc')
  })
})
