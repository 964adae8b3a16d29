/**
 * A failed TLS handshake named by what the user has to fix: Node and OpenSSL codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE,
 * ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, …) become one of a few stable reasons with a plain explanation.
 */

export type TlsFailureReason =
  | 'TLS_SERVER_CERT_UNTRUSTED'
  | 'TLS_SERVER_CERT_EXPIRED'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_CLIENT_CERT_REQUIRED'
  | 'TLS_CLIENT_CERT_REJECTED'

/** The client could not verify the server's certificate chain with its CA. */
const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
])

/**
 * The server ended the handshake with an alert about the client's certificate (or its absence). OpenSSL 3 names
 * them ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE, older builds ERR_SSL_SSLV3_ALERT_… or ERR_SSL_TLSV13_ALERT_….
 */
const CLIENT_CERT_ALERT =
  /^ERR_SSL_.*ALERT_(BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|HANDSHAKE_FAILURE)$/

/**
 * The TLS problem behind `code` (the most specific code of the error chain), or undefined when it is not one.
 * `clientCertGiven` tells a missing client certificate from a refused one: servers send the same alerts for both.
 */
export function tlsFailure(
  code: string,
  origin: string,
  clientCertGiven: boolean,
): { reason: TlsFailureReason; detail: string } | undefined {
  if (UNTRUSTED_SERVER.has(code)) {
    return {
      reason: 'TLS_SERVER_CERT_UNTRUSTED',
      detail: `the certificate of ${origin} is not signed by a trusted CA (${code}): give the CA that signed it (caCert)`,
    }
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return {
      reason: 'TLS_SERVER_CERT_EXPIRED',
      detail: `the certificate of ${origin} is not valid now (${code})`,
    }
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      reason: 'TLS_HOSTNAME_MISMATCH',
      detail: `the certificate of ${origin} does not name the host ${new URL(origin).hostname} (${code}): use a host name it names`,
    }
  }
  if (CLIENT_CERT_ALERT.test(code)) {
    return clientCertGiven
      ? {
          reason: 'TLS_CLIENT_CERT_REJECTED',
          detail: `${origin} refused the client certificate (${code}): is it signed by a CA the server trusts?`,
        }
      : {
          reason: 'TLS_CLIENT_CERT_REQUIRED',
          detail: `${origin} asks for a client certificate (${code}): give one and its key (clientCert, clientKey)`,
        }
  }
  return undefined
}
