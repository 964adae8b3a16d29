/**
 * Keeps credentials out of every message this package produces. Clients register the secrets they are
 * given (token, password, header values, key passphrase); any error text passes through `redact` before it
 * is stored. Patterns catch what was never registered: URL user-info and Authorization-style values.
 */
const secrets = new Set<string>()

/** Shorter values would redact ordinary words; nobody uses a three-character token. */
const MIN_SECRET_LENGTH = 4

export const REDACTED = '***'

/** Flink's own rule for sensitive configuration keys (GlobalConfiguration.isSensitive), lower-cased. */
export const SENSITIVE_CONFIG_KEY =
  /password|secret|token|apikey|api-key|auth-params|service-key|basic-auth|jaas\.config|account\.key/i

/** A Flink configuration with the values of sensitive keys replaced, for output. */
export function redactConfiguration(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, SENSITIVE_CONFIG_KEY.test(k) ? REDACTED : v]),
  )
}

export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH) return
  secrets.add(value)
  // A basic-auth header, a logged base64 form or a URL-encoded copy must not leak the secret either.
  secrets.add(Buffer.from(value).toString('base64'))
  secrets.add(encodeURIComponent(value))
}

const PATTERNS: readonly [RegExp, string][] = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, `$1${REDACTED}@`],
  [
    /\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(bearer|basic)?\s*[^\s"',;]+/gi,
    `$1$2$3 ${REDACTED}`,
  ],
  [/\b(password|passwd|token|secret|api[-_]?key)=[^\s"',;&]+/gi, `$1=${REDACTED}`],
  [/"(password|passwd|token|secret|api[-_]?key)"\s*:\s*"[^"]*"/gi, `"$1":"${REDACTED}"`],
]

export function redact(text: string): string {
  let out = text
  for (const secret of secrets) out = out.split(secret).join(REDACTED)
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement)
  return out
}
