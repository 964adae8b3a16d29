/**
 * Uploads a release's jar once. The stored name carries a prefix of the content hash
 * (`orders-job-3f2a9c1b7d4e.jar`), so a re-run after a crash, or a second upgrade with the same jar, finds
 * it in GET /jars instead of storing another copy.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import type { FlinkClient } from '../client/flink-client.ts'

export interface UploadedRelease {
  jarId: string
  jarSha256: string
  /** False when the same content was already on the cluster. */
  uploaded: boolean
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export function releaseFileName(jarPath: string, sha256: string): string {
  return `${basename(jarPath, '.jar')}-${sha256.slice(0, 12)}.jar`
}

export async function uploadRelease(
  client: FlinkClient,
  jarPath: string,
  signal?: AbortSignal,
): Promise<UploadedRelease> {
  const jarSha256 = await sha256File(jarPath)
  const fileName = releaseFileName(jarPath, jarSha256)
  const { files } = await client.jars.list({ signal })
  const existing = files.find((f) => f.name === fileName)
  if (existing) return { jarId: existing.id, jarSha256, uploaded: false }
  const { jarId } = await client.jars.upload(jarPath, { fileName, signal })
  return { jarId, jarSha256, uploaded: true }
}
