/**
 * `s3://bucket/prefix`: where shared run state lives. Parsed and checked before anything is sent, so a typo
 * is an error naming what was expected rather than a request to the wrong bucket.
 */
import { InvalidArgumentError } from '../errors.ts'

export interface StoreUrl {
  bucket: string
  /** '' or a prefix ending in '/'. */
  prefix: string
}

// S3's rules for bucket names (general purpose buckets), which MinIO, Ceph and R2 follow too.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export function parseStoreUrl(url: string, argument = 'stateStore'): StoreUrl {
  const fail = (problem: string): never => {
    throw new InvalidArgumentError(
      argument,
      `"${url}" ${problem}; expected s3://<bucket>/<prefix>, e.g. s3://deploy-state/flink`,
    )
  }
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)([?#].*)?$/.exec(url.trim())
  if (!match) return fail('is not a URL')
  const [, scheme, authority, path, rest] = match as unknown as [string, string, string, string, string?]
  if (scheme.toLowerCase() !== 's3') return fail(`has the scheme ${scheme}:, not s3:`)
  if (authority.includes('@'))
    return fail('holds credentials; give them the way AWS tools take them (environment, profile, role)')
  if (rest) return fail('has a query or fragment')
  if (!BUCKET.test(authority) || authority.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(authority))
    return fail(
      `names the bucket "${authority}", which is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)`,
    )
  const segments = path.split('/').filter((s) => s !== '')
  if (segments.some((s) => s === '.' || s === '..')) return fail('has "." or ".." in its prefix')
  return { bucket: authority, prefix: segments.length > 0 ? `${segments.join('/')}/` : '' }
}

export function formatStoreUrl(url: StoreUrl): string {
  return `s3://${url.bucket}/${url.prefix}`
}
