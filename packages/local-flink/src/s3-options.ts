/** Where a cluster's S3 file system (flink-s3-fs-hadoop) connects: StartFlinkClusterOptions.s3. */
export interface S3Options {
  /** e.g. http://127.0.0.1:41234 (an S3-compatible server; addressed path-style) */
  endpoint: string
  accessKey: string
  secretKey: string
  /** when given, checkpoints and savepoints default to s3://<bucket>/{checkpoints,savepoints}/<cluster id> */
  bucket?: string
  /** signing region (default us-east-1) */
  region?: string
}

/** Throws a TypeError naming the first wrong field (never echoing the keys' values). */
export function assertS3Options(s3: S3Options): void {
  const problem = s3OptionsProblem(s3)
  if (problem) throw new TypeError(`Invalid s3 option: ${problem}`)
}

function s3OptionsProblem(s3: S3Options): string | undefined {
  let url: URL | undefined
  try {
    url = new URL(s3.endpoint)
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol) || (url.pathname !== '/' && url.pathname !== ''))
    return `endpoint ${JSON.stringify(s3.endpoint)} is not an http(s) URL without a path, e.g. http://127.0.0.1:9000`
  if (typeof s3.accessKey !== 'string' || s3.accessKey === '') return 'accessKey must be a non-empty string'
  if (typeof s3.secretKey !== 'string' || s3.secretKey === '') return 'secretKey must be a non-empty string'
  if (s3.bucket !== undefined && !/^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3.bucket))
    return `bucket ${JSON.stringify(s3.bucket)} is not a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens; starting and ending with a letter or digit)`
  if (s3.region !== undefined && !/^[a-z0-9-]+$/.test(s3.region))
    return `region ${JSON.stringify(s3.region)} is not a region name like us-east-1`
  return undefined
}

/** The URIs of a cluster's checkpoint and savepoint directories in `bucket`. */
export function s3StateDirs(bucket: string, clusterId: string): { checkpoints: string; savepoints: string } {
  return {
    checkpoints: `s3://${bucket}/checkpoints/${clusterId}`,
    savepoints: `s3://${bucket}/savepoints/${clusterId}`,
  }
}
