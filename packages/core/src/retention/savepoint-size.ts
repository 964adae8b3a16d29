/**
 * What a savepoint occupies, where that is cheap to know: a `file:` savepoint (or a path without a scheme,
 * Flink's default file system) is measured on this machine's disk. Object stores would need a client with
 * the savepoint bucket's own credentials, so their size is unknown.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export type OnDisk = { state: 'present'; sizeBytes: number } | { state: 'missing' } | { state: 'unknown' }

/** The local path of a `file:` URI or scheme-less path, or undefined for any other file system. */
export function localPathOf(savepointPath: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(savepointPath)?.[1]?.toLowerCase()
  if (scheme === undefined) return savepointPath
  if (scheme !== 'file') return undefined
  // Flink writes `file:/dir`; `file:///dir` is the same place.
  return fileURLToPath(new URL(savepointPath.replace(/^file:\/*/i, 'file:///')))
}

/** Present with its size, missing, or unknown (not on a local file system, or not readable here). */
export async function savepointOnDisk(savepointPath: string): Promise<OnDisk> {
  const local = localPathOf(savepointPath)
  if (local === undefined) return { state: 'unknown' }
  try {
    const top = await stat(local)
    if (!top.isDirectory()) return { state: 'present', sizeBytes: top.size }
    let sizeBytes = 0
    for (const entry of await readdir(local, { withFileTypes: true, recursive: true }))
      if (entry.isFile()) sizeBytes += (await stat(join(entry.parentPath, entry.name))).size
    return { state: 'present', sizeBytes }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' }
    return { state: 'unknown' }
  }
}
