/** Runs checks one after the other and stops at the first failure; the standard list for an upgrade. */
import type { Check, CheckContext, CheckResult } from './check.ts'
import { backpressureNotHigh, recordsFlowing, watermarksAdvance } from './flow-checks.ts'
import {
  allVerticesRunning,
  checkpointsAfterRestore,
  restoredFromSavepoint,
  stableFor,
} from './job-checks.ts'
import { errorEvidence } from './poll.ts'

export interface RunChecksOptions {
  /** Called before each check starts. */
  onStart?: (check: Check) => void
  /** Called with each result as soon as it is known (to persist it or emit an event). */
  onResult?: (result: CheckResult) => void | Promise<void>
}

export interface ChecksOutcome {
  /** Every check ran and passed. */
  passed: boolean
  /** In order, up to and including the first failure. */
  results: CheckResult[]
  /** `ctx.signal` aborted before all checks had passed. */
  aborted: boolean
}

export async function runChecks(
  checks: readonly Check[],
  ctx: CheckContext,
  options: RunChecksOptions = {},
): Promise<ChecksOutcome> {
  const results: CheckResult[] = []
  for (const check of checks) {
    if (ctx.signal?.aborted) return { passed: false, results, aborted: true }
    options.onStart?.(check)
    const startedAt = Date.now()
    let result: CheckResult
    try {
      result = await check.run(ctx)
    } catch (error) {
      const evidence = errorEvidence(error)
      result = {
        name: check.name,
        passed: false,
        message: `${check.name} threw: ${evidence.error}`,
        evidence,
        startedAt,
        durationMs: Date.now() - startedAt,
      }
    }
    results.push(result)
    await options.onResult?.(result)
    if (!result.passed) return { passed: false, results, aborted: ctx.signal?.aborted === true }
  }
  return { passed: true, results, aborted: false }
}

type Toggle<T> = boolean | T

export interface DefaultChecksOptions {
  /** The savepoint green was started from; without it the restore is not checked. */
  savepointPath?: string
  /** Accept a retained checkpoint as the restore source (the checkpoint fallback). Default false. */
  allowCheckpointRestore?: boolean
  /** Checkpoints that must complete after the restore; 0 leaves the check out. Default 1. */
  checkpoints?: number
  /** Stabilisation window; 0 leaves the check out. Default 30 s. */
  stabilisationMs?: number
  recordsFlowing?: Toggle<Parameters<typeof recordsFlowing>[0]>
  watermarksAdvance?: Toggle<Parameters<typeof watermarksAdvance>[0]>
  backpressureNotHigh?: Toggle<Parameters<typeof backpressureNotHigh>[0]>
  /** User checks, run after the standard ones and before the stabilisation window. */
  custom?: readonly Check[]
}

export const DEFAULT_STABILISATION_MS = 30_000

/**
 * All vertices running; restored from the savepoint (when one is given); N checkpoints after the restore;
 * the optional flow checks and user checks; then the stabilisation window, last, so it watches a job that
 * has proven everything else.
 */
export function defaultChecks(options: DefaultChecksOptions = {}): Check[] {
  const checks: Check[] = [allVerticesRunning()]
  if (options.savepointPath)
    checks.push(
      restoredFromSavepoint({
        path: options.savepointPath,
        ...(options.allowCheckpointRestore ? { allowCheckpoint: true } : {}),
      }),
    )
  const checkpoints = options.checkpoints ?? 1
  if (checkpoints > 0) checks.push(checkpointsAfterRestore({ count: checkpoints }))
  const optional = <T>(toggle: Toggle<T> | undefined, make: (o: T | undefined) => Check) => {
    if (toggle) checks.push(make(toggle === true ? undefined : toggle))
  }
  optional(options.recordsFlowing, (o) => recordsFlowing(o))
  optional(options.watermarksAdvance, (o) => watermarksAdvance(o))
  optional(options.backpressureNotHigh, (o) => backpressureNotHigh(o))
  checks.push(...(options.custom ?? []))
  const stabilisationMs = options.stabilisationMs ?? DEFAULT_STABILISATION_MS
  if (stabilisationMs > 0) checks.push(stableFor({ windowMs: stabilisationMs }))
  return checks
}
