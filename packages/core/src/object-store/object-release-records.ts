/** Release records as objects, one per job name: `jobs/<name>/release.json` beside that job's run state. */
import {
  parseReleaseRecord,
  type ReleaseRecordStore,
  serialiseReleaseRecord,
} from '../store/release-record.ts'
import { jobKey } from './job-keys.ts'
import type { ObjectStore } from './object-store.ts'

export function createObjectReleaseRecords(objects: ObjectStore): ReleaseRecordStore {
  const key = (jobName: string) => jobKey(jobName, 'release.json')
  return {
    location: objects.location,
    async read(jobName) {
      const found = await objects.get(key(jobName))
      return found && parseReleaseRecord(found.body, `${objects.location}${key(jobName)}`, jobName)
    },
    async write(record) {
      await objects.put(key(record.jobName), serialiseReleaseRecord(record))
    },
    async remove(jobName) {
      await objects.delete(key(jobName))
    },
  }
}
