import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** A JSON file `{ [key]: records }` where a CLI's `up` records what it left running, for `down` and `status`. */
export interface StateFile<T> {
  /** the records; none when the file is missing or unreadable */
  read(): Promise<T[]>
  /** replaces the records; no records removes the file */
  write(records: T[]): Promise<void>
}

export function stateFile<T>(path: string, key: string): StateFile<T> {
  return {
    async read() {
      try {
        return (JSON.parse(await readFile(path, 'utf8')) as Record<string, T[]>)[key] ?? []
      } catch {
        return []
      }
    },
    async write(records) {
      await mkdir(dirname(path), { recursive: true })
      if (records.length === 0) await rm(path, { force: true })
      else await writeFile(path, `${JSON.stringify({ [key]: records }, null, 2)}\n`)
    },
  }
}
