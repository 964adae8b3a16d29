/**
 * The few operations of an S3-compatible bucket that shared run state needs: read an object with its ETag,
 * write it only if it is absent or still the version we read (compare-and-swap), delete it only if it is
 * still ours, and list a prefix. Strong read-after-write consistency is assumed, as S3, MinIO, Ceph and R2
 * give it. The S3 implementation and an in-memory one (for tests and fault injection) share this contract.
 */

export interface StoredObject {
  body: string
  /** Opaque version tag; the condition of the next write or delete. */
  etag: string
}

/** A write's condition: create only (`ifNoneMatch: '*'`) or replace only that version (`ifMatch`). */
export type WriteCondition = { ifNoneMatch: '*' } | { ifMatch: string } | Record<string, never>

export interface ObjectStore {
  /** `s3://bucket/prefix/` or `memory://...`: for messages. */
  readonly location: string
  /** The object, or undefined when there is none. */
  get(key: string): Promise<StoredObject | undefined>
  /** Writes the object; a failed condition is an ObjectConditionFailedError. Returns the new ETag. */
  put(key: string, body: string, condition?: WriteCondition): Promise<string>
  /** Deletes the object (absent is fine); with `ifMatch`, only that version. */
  delete(key: string, condition?: { ifMatch?: string }): Promise<void>
  /** Keys under the prefix, relative to the store's own prefix. */
  list(prefix: string): Promise<string[]>
  /** Fails with a clear error when the bucket is missing or the credentials are refused. */
  check(): Promise<void>
  close(): Promise<void>
}
