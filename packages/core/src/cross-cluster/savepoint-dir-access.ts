/**
 * Can a cluster read the savepoint directory? The REST API has no file-system call, but disposing of a
 * savepoint makes the JobManager resolve its path: asked for a path that cannot exist under the directory, a
 * cluster that reaches the directory answers "Cannot find checkpoint or savepoint" (FileNotFoundException),
 * and one that does not answers why (no file system for the scheme, no such bucket, access denied). Nothing
 * is deleted: the probed path is random and never written.
 */
import { randomBytes } from 'node:crypto'
import type { FlinkClient } from '../client/flink-client.ts'
import { innermostCause } from '../client/java-stacktrace.ts'
import { FlinkOperationFailedError, FlinkOperationTimeoutError } from '../errors.ts'

export type DirectoryAccess = { reachable: true } | { reachable: false; reason: string }

/** What Flink's AbstractFsCheckpointStorageAccess says when the file system answered and the path is absent. */
const NOT_FOUND = /Cannot find checkpoint or savepoint file\/directory/
/** Without a plugin for the scheme, Flink's own line says so; the cause under it ("Hadoop is not in the classpath") does not. */
const NO_FILE_SYSTEM = /^(?:Caused by: )?\S*UnsupportedFileSystemSchemeException: .*$/m

/**
 * `timeoutMs`: a file system that does not answer (an S3 endpoint down) keeps a disposal in progress for
 * many minutes; after this long the directory counts as unreachable.
 */
export async function probeSavepointDir(
  client: FlinkClient,
  directory: string,
  signal?: AbortSignal,
  timeoutMs = 30_000,
): Promise<DirectoryAccess> {
  const probe = `${directory.replace(/\/+$/, '')}/flink-deploy-probe-${randomBytes(8).toString('hex')}`
  try {
    await client.operations.disposeSavepoint(probe, { signal, timeoutMs })
  } catch (error) {
    if (error instanceof FlinkOperationTimeoutError)
      return { reachable: false, reason: `its file system did not answer within ${timeoutMs / 1000} s` }
    if (!(error instanceof FlinkOperationFailedError)) throw error
    const cause = innermostCause(error.stackTrace) ?? error.javaMessage
    if (NOT_FOUND.test(cause)) return { reachable: true }
    return {
      reachable: false,
      reason: NO_FILE_SYSTEM.exec(error.stackTrace)?.[0].replace(/^Caused by: /, '') ?? cause,
    }
  }
  // Flink disposed of something at a path nobody could have written: it cannot have read the directory.
  return { reachable: false, reason: `disposing of ${probe} succeeded, so the answer says nothing` }
}

/** A directory on each machine's own disk: `file:` URIs and paths without a scheme (Flink's default file system). */
export function isLocalDirectory(directory: string): boolean {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(directory)?.[1]?.toLowerCase()
  return scheme === undefined || scheme === 'file'
}
