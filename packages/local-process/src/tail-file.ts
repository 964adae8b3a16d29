import { open } from 'node:fs/promises'
import { lastLines } from './exec.ts'

/** The last `lines` lines of a (log) file, reading only its end. */
export async function tailFile(path: string, lines: number): Promise<string> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    const start = Math.max(0, size - Math.max(16_384, lines * 400))
    const buf = Buffer.alloc(size - start)
    await fh.read(buf, 0, buf.length, start)
    return lastLines(buf.toString('utf8'), lines)
  } finally {
    await fh.close()
  }
}
