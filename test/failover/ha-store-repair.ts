/**
 * What an operator does to an HA storage directory that Flink 2.3's JobManager cannot start from after a kill.
 * Both are Flink bugs in the window between a job ending and its result being cleaned up, and both make every
 * new JobManager die on start, so a supervisor restarting it alone never gets the cluster back:
 *
 * - A JobManager killed while writing a job's or an application's result leaves an empty `<id>_DIRTY.json` in
 *   the job or application result store; the next one dies reading it ("No content to map"). The empty file
 *   is removed (and, for an application, written again as below).
 * - A JobManager killed after writing a job's dirty result but before writing the dirty result of the job's
 *   application (a job submitted through REST is a `SingleJobApplication` whose id is the job id) leaves a job
 *   result that no recovered application claims; the next one fails `checkState` at Dispatcher.java:497
 *   (`recoveredDirtyJobResultsByApplicationId.isEmpty()`). The missing dirty application result is written,
 *   in the format of Flink's FileSystemApplicationResultStore, so the new JobManager runs the cleanup it
 *   missed. Removing the job result instead would make Flink recover the finished job and run it again.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const DIRTY = '_DIRTY.json'

/** Job result's `application-status` → the application state Flink would have written. */
const APPLICATION_STATE: Record<string, string> = {
  SUCCEEDED: 'FINISHED',
  CANCELED: 'CANCELED',
  FAILED: 'FAILED',
}

interface DirtyJobResult {
  id: string
  name: string
  'application-status': string
  'application-id'?: string
  'start-time': number
  'end-time': number
}

/** Repairs `haStorageDir` (the local path of `high-availability.storageDir`); returns what it did, one line each. */
export async function repairHaStore(haStorageDir: string): Promise<string[]> {
  const done: string[] = []
  for (const store of ['job-result-store', 'application-result-store'])
    for (const clusterDir of await subdirectories(join(haStorageDir, store)))
      for (const file of await dirtyFiles(clusterDir.path))
        if ((await stat(file)).size === 0) {
          await rm(file)
          done.push(`removed the empty result ${file}`)
        }
  for (const clusterDir of await subdirectories(join(haStorageDir, 'job-result-store'))) {
    const applicationDir = join(haStorageDir, 'application-result-store', clusterDir.name)
    for (const file of await dirtyFiles(clusterDir.path)) {
      const written = await writeMissingApplicationResult(file, applicationDir)
      if (written) done.push(`wrote the missing application result ${written}`)
    }
  }
  return done
}

async function writeMissingApplicationResult(jobResultFile: string, applicationDir: string) {
  const { result } = JSON.parse(await readFile(jobResultFile, 'utf8')) as { result: DirtyJobResult }
  const applicationId = result['application-id']
  if (!applicationId) return undefined
  const dirty = join(applicationDir, `${applicationId}${DIRTY}`)
  if (existsSync(dirty) || existsSync(join(applicationDir, `${applicationId}.json`))) return undefined
  const entry = {
    result: {
      'application-id': applicationId,
      'application-state': APPLICATION_STATE[result['application-status']] ?? 'FAILED',
      'application-name': `SingleJobApplication(${result.name})`,
      'start-time': result['start-time'],
      'end-time': result['end-time'],
    },
    version: 1,
  }
  await mkdir(applicationDir, { recursive: true })
  await writeFile(dirty, JSON.stringify(entry))
  return dirty
}

async function subdirectories(dir: string) {
  if (!existsSync(dir)) return []
  const entries = await readdir(dir, { withFileTypes: true })
  return entries.filter((e) => e.isDirectory()).map((e) => ({ name: e.name, path: join(dir, e.name) }))
}

async function dirtyFiles(dir: string) {
  return (await readdir(dir)).filter((f) => f.endsWith(DIRTY)).map((f) => join(dir, f))
}
