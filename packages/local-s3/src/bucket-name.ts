/**
 * S3's naming rules for general purpose buckets, checked before any request so a bad name fails with a
 * message that says which rule, not with the server's bare InvalidBucketName.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (has ${name.length})`
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lowercase letters, digits, dots and hyphens'
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit'
  if (name.includes('..')) return 'must not contain two adjacent dots'
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address'
  return undefined
}

export function assertBucketName(name: string): void {
  const problem = bucketNameProblem(name)
  if (problem) throw new TypeError(`Invalid S3 bucket name ${JSON.stringify(name)}: it ${problem}`)
}
