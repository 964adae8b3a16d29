/**
 * `manifest:` instead of one job's inputs: every job of the manifest applied (in waves, a few at a time),
 * one log line per event naming its job, and one summary table for all of them.
 */
import { join } from 'node:path'
import type * as Core from '@actions/core'
import {
  appliedRows,
  apply,
  type FleetResult,
  type FlinkClient,
  fileRunStorage,
  formatEvent,
  loadManifest,
  objectRunStorage,
  openObjectStore,
  type RunStorage,
  type Tracing,
  traceApply,
} from '@flink-deploy/core'
import { type ActionInputs, safeFileName } from './inputs.ts'

export async function applyManifest(
  core: typeof Core,
  inputs: ActionInputs,
  client: FlinkClient,
  signal: AbortSignal,
  tracing?: Tracing,
): Promise<void> {
  const { manifest, baseDir } = await loadManifest(inputs.manifest!)
  const storeUrl = inputs.stateStore ?? manifest['state-store']
  const objects = storeUrl ? await openObjectStore(storeUrl, { argument: 'state-store' }) : undefined
  const stateDir = join(
    process.env.GITHUB_WORKSPACE || process.cwd(),
    manifest['state-dir'] ?? '.flink-deploy',
  )
  const storageFor = (job: string): RunStorage =>
    objects
      ? objectRunStorage(objects, { job, ...(inputs.leaseMs ? { leaseMs: inputs.leaseMs } : {}) })
      : fileRunStorage(join(stateDir, `${safeFileName(job)}.json`))
  const traced = tracing && traceApply(tracing, client.url)
  try {
    const result = await apply(manifest, {
      client,
      storageFor,
      baseDir,
      signal,
      owner: inputs.lockOwner,
      ...(inputs.notify ? { notify: inputs.notify } : {}),
      ...(inputs.concurrency ? { concurrency: inputs.concurrency } : {}),
      ...(inputs.continueOnFailure ? { continueOnFailure: true } : {}),
      ...(traced ? { onJob: traced.onJob } : {}),
      onEvent: (job, event) => {
        traced?.onEvent(job, event)
        const line = formatEvent(event)
        if (line !== undefined) core.info(`[${job}] ${line}`)
      },
    })
    traced?.end({ result })
    core.setOutput('outcome', result.ok ? 'applied' : 'failed')
    core.setOutput('jobs', JSON.stringify(appliedRows(result)))
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summary(result, inputs.manifest!)).write()
    if (!result.ok) {
      const failed = result.jobs.filter((j) => j.status === 'failed')
      core.setFailed(
        `${failed.map((j) => `${j.job}: ${j.error?.message ?? j.result?.summary ?? 'failed'}`).join('; ')}`,
      )
    }
  } catch (error) {
    traced?.end({ error })
    throw error
  } finally {
    await objects?.close()
  }
}

const ICON: Record<string, string> = { changed: '✅', unchanged: '➖', failed: '❌', skipped: '⏭️' }

function summary(result: FleetResult, file: string): string {
  const out = [
    `## ${result.ok ? '✅ Applied' : '❌ Not applied'}: ${file}`,
    '',
    '| job | wave | status | outcome | job id | savepoint |',
    '| --- | --- | --- | --- | --- | --- |',
  ]
  for (const r of appliedRows(result))
    out.push(
      `| ${r.job} | ${r.wave} | ${ICON[r.status]} ${r.status} | ${r.outcome ?? ''} | ${r.jobId ? `\`${r.jobId}\`` : ''} | ${r.savepointPath ? `\`${r.savepointPath}\`` : ''} |`,
    )
  const failed = result.jobs.filter((j) => j.error)
  if (failed.length > 0) out.push('', ...failed.map((j) => `- **${j.job}**: ${j.error!.message}`))
  return `${out.join('\n')}\n`
}
