/**
 * Opens a shared state store from its URL (`s3://bucket/prefix`), checked before anything changes on Flink:
 * a malformed URL, a missing bucket or refused credentials is an error here, not in the middle of a run.
 */
import type { RunStorage } from '../store/run-storage.ts'
import { type ObjectRunStorageOptions, objectRunStorage } from './object-run-storage.ts'
import type { ObjectStore } from './object-store.ts'
import { createS3ObjectStore, type S3StoreOptions } from './s3-object-store.ts'
import { parseStoreUrl } from './store-url.ts'

export interface OpenStateStoreOptions extends S3StoreOptions {
  /** Name of the argument in messages (`stateStore`, `--state-store`). */
  argument?: string
}

/** The object store behind a URL, after one request has shown it is usable. */
export async function openObjectStore(
  url: string,
  options: OpenStateStoreOptions = {},
): Promise<ObjectStore> {
  const parsed = parseStoreUrl(url, options.argument)
  const objects = await createS3ObjectStore(parsed, options)
  try {
    await objects.check()
  } catch (error) {
    await objects.close()
    throw error
  }
  return objects
}

/** One job's run state, release records and lease lock in the store at `url`; closing it closes the store. */
export async function openStateStore(
  url: string,
  options: OpenStateStoreOptions & ObjectRunStorageOptions,
): Promise<RunStorage> {
  const objects = await openObjectStore(url, options)
  return { ...objectRunStorage(objects, options), close: () => objects.close() }
}
