/** A manifest job as the options of one upgrade: the same names as the CLI flags, mapped to core's. */
import { resolve } from 'node:path'
import { upgradeOptionsFrom } from '../settings/upgrade-options-from.ts'
import type { UpgradeOptions } from '../upgrade/options.ts'
import type { ManifestJob } from './manifest.ts'

/** `jar` and `rollback-jar` paths are relative to `baseDir` (the manifest's folder). */
export function upgradeOptionsOf(job: ManifestJob, baseDir: string): UpgradeOptions {
  const rollbackJar = job['rollback-jar']
  const rollbackArgs = job['rollback-args']
  return upgradeOptionsFrom(
    {
      jobName: job['job-name'],
      jar: resolve(baseDir, job.jar),
      ...(job.args ? { args: job.args } : {}),
      ...(rollbackJar
        ? {
            rollback: { jar: resolve(baseDir, rollbackJar), ...(rollbackArgs ? { args: rollbackArgs } : {}) },
          }
        : {}),
    },
    (d) => (job as Record<string, unknown>)[d.name],
  )
}
