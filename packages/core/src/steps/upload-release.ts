/**
 * Uploads a release's jar once. The stored name carries a prefix of the content hash
 * (`orders-job-3f2a9c1b7d4e.jar`), so a re-run after a crash, or a second upgrade with the same jar, finds
 * it in GET /jars instead of storing another copy; and a recorded release is found by its content, not by
 * whatever its old path holds now.
 */
import { createHash } from 'node:crypto'
import { open, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { FlinkClient } from '../client/flink-client.ts'
import { InvalidArgumentError } from '../errors.ts'

export interface UploadedRelease {
  jarId: string
  jarSha256: string
  /** False when the same content was already on the cluster. */
  uploaded: boolean
}

/** One buffer, read into again and again: hashing a 90 MB jar leaves no 90 MB of garbage behind. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(256 * 1024)
  const file = await open(path, 'r')
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      hash.update(buffer.subarray(0, bytesRead))
    }
  } finally {
    await file.close()
  }
  return hash.digest('hex')
}

export function releaseFileName(jarPath: string, sha256: string): string {
  return `${basename(jarPath, '.jar')}-${sha256.slice(0, 12)}.jar`
}

/**
 * The jar at `jarPath` on the cluster, uploaded if needed. With `expectedSha256` (a recorded release, such
 * as blue for a rollback) it must be that content: the cluster's copy is used when it is still there, and a
 * file that now holds something else (the next build overwrote it) is refused rather than run.
 */
export async function uploadRelease(
  client: FlinkClient,
  jarPath: string,
  signal?: AbortSignal,
  expectedSha256?: string,
): Promise<UploadedRelease> {
  if (expectedSha256) {
    const kept = await findOnCluster(client, releaseFileName(jarPath, expectedSha256), signal)
    if (kept) return { jarId: kept, jarSha256: expectedSha256, uploaded: false }
  }
  const jarSha256 = await hashOfFile(jarPath)
  if (expectedSha256 && jarSha256 !== expectedSha256) {
    throw new InvalidArgumentError(
      'jar path',
      `the release to run is ${jarPath} with SHA-256 ${expectedSha256.slice(0, 12)}..., but the cluster no longer ` +
        `has it and the file now holds other content (${jarSha256.slice(0, 12)}...)`,
    )
  }
  const fileName = releaseFileName(jarPath, jarSha256)
  const kept = await findOnCluster(client, fileName, signal)
  if (kept) return { jarId: kept, jarSha256, uploaded: false }
  const { jarId } = await client.jars.upload(jarPath, { fileName, signal })
  return { jarId, jarSha256, uploaded: true }
}

async function findOnCluster(
  client: FlinkClient,
  fileName: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const { files } = await client.jars.list({ signal })
  return files.find((f) => f.name === fileName)?.id
}

async function hashOfFile(jarPath: string): Promise<string> {
  const info = await stat(jarPath).catch(() => undefined)
  if (!info?.isFile()) throw new InvalidArgumentError('jar path', `no file at "${jarPath}"`)
  return sha256File(jarPath)
}
