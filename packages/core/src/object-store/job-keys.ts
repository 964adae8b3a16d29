/**
 * The layout of a shared store, one prefix per job like Terraform's S3 backend keeps one state per key:
 *
 *   <prefix>jobs/<job>/run.json      the run state (machine snapshot)
 *   <prefix>jobs/<job>/lock.json     the lease lock
 *   <prefix>jobs/<job>/release.json  how the job was last deployed (for rollbacks)
 *   <prefix>jobs/<job>/handover.json the hand-over object both jobs' gates read (exactly-once blue-green)
 *
 * `<job>` is the job name (or id) URL-encoded: readable for ordinary names, one segment and distinct for
 * any name, whatever slashes or spaces it holds.
 */
export const JOBS_PREFIX = 'jobs/'

export type JobObject = 'run.json' | 'lock.json' | 'release.json' | 'handover.json'

export function jobKey(job: string, object: JobObject): string {
  return `${JOBS_PREFIX}${encodeURIComponent(job)}/${object}`
}

/** The job names (or ids) that have anything stored, from the keys of a listing of JOBS_PREFIX. */
export function jobsInListing(keys: readonly string[]): string[] {
  const names = new Set<string>()
  for (const key of keys) {
    const segment = key.slice(JOBS_PREFIX.length).split('/')[0]
    if (key.startsWith(JOBS_PREFIX) && segment) names.add(decodeURIComponent(segment))
  }
  return [...names].sort()
}
