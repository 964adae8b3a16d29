/** A manifest job as the options of one upgrade: the same names as the CLI flags, mapped to core's. */
import { resolve } from 'node:path'
import type { UpgradeOptions } from '../upgrade/options.ts'
import type { ManifestJob } from './manifest.ts'

/** `jar` paths are relative to `baseDir` (the manifest's folder). */
export function upgradeOptionsOf(job: ManifestJob, baseDir: string): UpgradeOptions {
  const defined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
  const verify = defined({
    checkpoints: job['verify-checkpoints'],
    stabilisationMs: job['verify-stabilisation'],
    timeoutMs: job['verify-timeout'],
    recordsFlowing: job['verify-records-flowing'],
    watermarksAdvance: job['verify-watermarks'],
    backpressureNotHigh: job['verify-backpressure'],
    caughtUp: job['verify-caught-up'],
    caughtUpMaxPending: job['verify-caught-up-max-pending'],
    caughtUpWindowMs: job['verify-caught-up-window'],
  })
  const timeouts = defined({ savepointMs: job['savepoint-timeout'], cancelMs: job['cancel-timeout'] })
  return defined({
    jobName: job['job-name'],
    jar: resolve(baseDir, job.jar),
    entryClass: job['entry-class'],
    args: job.args,
    parallelism: job.parallelism,
    flinkConfiguration: job['flink-config'],
    strategy: job.strategy,
    savepointDir: job['savepoint-dir'],
    allowNonRestoredState: job['allow-non-restored-state'],
    acceptDuplicatesAndFencing: job['accept-duplicates-and-fencing'],
    claimMode: job['claim-mode'],
    stateless: job.stateless,
    initialSavepoint: job['initial-savepoint'],
    checkpointFallbackMaxAgeMs: job['checkpoint-fallback-max-age'],
    verify: Object.keys(verify).length > 0 ? verify : undefined,
    timeouts: Object.keys(timeouts).length > 0 ? timeouts : undefined,
  })
}
