/**
 * The AWS SDK for an s3:// state store. Loaded on first use only: it is larger than everything else an upgrade
 * needs, and most runs keep their state on local disk.
 */
export type S3Sdk = typeof import('@aws-sdk/client-s3')

export async function loadS3Sdk(): Promise<S3Sdk> {
  return await import('@aws-sdk/client-s3')
}
