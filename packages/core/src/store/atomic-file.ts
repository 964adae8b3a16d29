/**
 * The one way this package replaces a file: write a temporary file next to it, fsync it, rename it over the
 * target, fsync the directory. A reader (or a process started after a crash) sees the old content or the new
 * one, never a mix or an empty file.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { errnoCode, StateStoreIoError } from './errors.ts'

export interface AtomicWriteOptions {
  /** File mode of a newly created file. Default 0o600: state files name savepoints and job settings. */
  mode?: number
}

/** Atomically replaces `path` with `data`, creating its directory when missing. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await mkdir(dir, { recursive: true })
    const handle = await open(temp, 'wx', options.mode ?? 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw new StateStoreIoError({ path, operation: 'write', cause: error })
  }
  await syncDirectory(dir)
}

/** The file's text, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined
    throw new StateStoreIoError({ path, operation: 'read', cause: error })
  }
}

/** Removes a file; no error when it is already gone. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return
    throw new StateStoreIoError({ path, operation: 'remove', cause: error })
  }
  await syncDirectory(dirname(path))
}

/**
 * Makes a rename or unlink durable. Some platforms and file systems (Windows, some network mounts) cannot
 * open or fsync a directory; there the rename is as durable as the system makes it.
 */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // EISDIR / EPERM / EINVAL / EBADF: directory fsync unsupported here.
  } finally {
    await handle?.close().catch(() => {})
  }
}
