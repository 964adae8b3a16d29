import { describe, expect, it } from 'vitest'
import { tlsFailure } from './tls-failure.ts'

const origin = 'https://localhost:8081'

describe('tlsFailure', () => {
  it('names an untrusted server certificate, a host-name mismatch and an expired certificate', () => {
    for (const code of [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    ]) {
      expect(tlsFailure(code, origin, true)?.reason).toBe('TLS_SERVER_CERT_UNTRUSTED')
    }
    expect(tlsFailure('ERR_TLS_CERT_ALTNAME_INVALID', origin, true)).toEqual({
      reason: 'TLS_HOSTNAME_MISMATCH',
      detail: `the certificate of ${origin} does not name the host localhost (ERR_TLS_CERT_ALTNAME_INVALID): use a host name it names`,
    })
    expect(tlsFailure('CERT_HAS_EXPIRED', origin, false)?.reason).toBe('TLS_SERVER_CERT_EXPIRED')
  })

  // The alerts Flink's JobManager (JDK TLS) sends, as Node 24 with OpenSSL 3 reports them, and older spellings.
  it('tells a missing client certificate from a refused one by whether one was given', () => {
    for (const code of [
      'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE',
      'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_UNKNOWN',
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    ]) {
      expect(tlsFailure(code, origin, false)?.reason, code).toBe('TLS_CLIENT_CERT_REQUIRED')
      expect(tlsFailure(code, origin, true)?.reason, code).toBe('TLS_CLIENT_CERT_REJECTED')
    }
  })

  it('leaves other errors alone', () => {
    for (const code of ['ECONNREFUSED', 'UND_ERR_SOCKET', 'ERR_SSL_WRONG_VERSION_NUMBER']) {
      expect(tlsFailure(code, origin, true)).toBeUndefined()
    }
  })
})
