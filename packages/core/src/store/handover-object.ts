/**
 * The hand-over object the jobs' gates read (packages/flink-gate): `{"version": 2, "from": "blue",
 * "cutoverMillis": T, "greenPasses": true}`. It is written through the same storage as the run state, so a run resumed on another
 * machine writes the very object the gates read, and always whole (temporary file and rename, or one PUT): a
 * gate that read half an object would keep its last good one, but must never see a wrong one.
 */
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { InvalidArgumentError } from '../errors.ts'
import { writeFileAtomic } from './atomic-file.ts'

export interface HandoverObject {
  /** Grows with every write: the gates log which version they adopted. */
  version: number
  /** The colour that hands over; the gates read absent as blue. */
  from?: 'blue' | 'green'
  cutoverMillis?: number
  greenPasses?: boolean
}

export interface HandoverObjectStore {
  /** The URI the gates read it from (`file:///…`, `s3://…`): passed to both jobs as flink-deploy.handover.path. */
  readonly url: string
  write(object: HandoverObject): Promise<void>
}

/** A local file (`/x/orders.handover.json` or `file:///x/orders.handover.json`), replaced atomically. */
export function fileHandoverObject(location: string): HandoverObjectStore {
  const path = location.startsWith('file:') ? fileURLToPath(location) : resolve(location)
  return {
    url: pathToFileURL(path).href,
    write: (object) => writeFileAtomic(path, `${JSON.stringify(object)}\n`, { mode: 0o644 }),
  }
}

/** Only a local path or a `file:` URI can be written without an object store. */
export function localHandoverObject(location: string): HandoverObjectStore {
  if (/^[a-z][a-z0-9+.-]*:/i.test(location) && !location.startsWith('file:'))
    throw new InvalidArgumentError(
      'handoverPath',
      `${location} is neither a file nor inside the run's state store; with a local state file give a file: path both jobs read (a shared disk), or keep the run state in the same bucket (--state-store)`,
    )
  return fileHandoverObject(location)
}
