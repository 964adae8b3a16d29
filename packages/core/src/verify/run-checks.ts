/**
 * Runs checks side by side (each starts at once, or once the checks it names in `after` passed) and stops
 * them all at the first failure; the standard list for an upgrade.
 */
import { type CaughtUpOptions, caughtUp } from './caught-up.ts'
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
  /** Called as each check starts. */
  onStart?: (check: Check) => void
  /** Called with each result as soon as it is known (to persist it or emit an event). */
  onResult?: (result: CheckResult) => void | Promise<void>
}

export interface ChecksOutcome {
  /** Every check ran and passed. */
  passed: boolean
  /**
   * In the order the checks decided, up to and including the first failure. Checks stopped by that failure
   * (or never started because of it) have no result: their verdict would only repeat it.
   */
  results: CheckResult[]
  /** `ctx.signal` aborted before all checks had passed. */
  aborted: boolean
}

export async function runChecks(
  checks: readonly Check[],
  ctx: CheckContext,
  options: RunChecksOptions = {},
): Promise<ChecksOutcome> {
  assertOrder(checks)
  const results: CheckResult[] = []
  const stop = new AbortController()
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, stop.signal]) : stop.signal
  const shared: CheckContext = { ...ctx, signal }
  let decided = false
  const runs = new Map<string, Promise<boolean>>()

  const runOne = async (check: Check): Promise<boolean> => {
    for (const name of check.after ?? []) if (!(await runs.get(name))) return false
    if (signal.aborted) return false
    options.onStart?.(check)
    const result = await runSafely(check, shared)
    if (decided) return false
    if (!result.passed) {
      decided = true
      stop.abort()
    }
    results.push(result)
    await options.onResult?.(result)
    return result.passed
  }

  for (const check of checks) runs.set(check.name, runOne(check))
  const passed = (await Promise.all(runs.values())).every(Boolean)
  return { passed: passed && !decided, results, aborted: !passed && ctx.signal?.aborted === true }
}

/** A check can only wait for one before it: anything else would wait forever or for nothing. */
function assertOrder(checks: readonly Check[]): void {
  const before = new Set<string>()
  for (const check of checks) {
    const unknown = (check.after ?? []).filter((name) => !before.has(name))
    if (unknown.length > 0)
      throw new Error(
        `check ${check.name} waits for ${unknown.join(', ')}, which is not earlier in the list of checks`,
      )
    before.add(check.name)
  }
}

async function runSafely(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const startedAt = Date.now()
  try {
    return await check.run(ctx)
  } catch (error) {
    const evidence = errorEvidence(error)
    return {
      name: check.name,
      passed: false,
      message: `${check.name} threw: ${evidence.error}`,
      evidence,
      startedAt,
      durationMs: Date.now() - startedAt,
    }
  }
}

type Toggle<T> = boolean | T

export interface DefaultChecksOptions {
  /** The savepoint green was started from; without it the restore is not checked. */
  savepointPath?: string
  /** Accept a retained checkpoint as the restore source (the checkpoint fallback). Default false. */
  allowCheckpointRestore?: boolean
  /** Checkpoints that must complete after the restore; 0 leaves the check out. Default 1. */
  checkpoints?: number
  /**
   * Trigger those checkpoints through the REST API as soon as green runs (Flink 1.17+) instead of waiting
   * for periodic ones. Default true.
   */
  triggerCheckpoints?: boolean
  /** Stabilisation window; 0 leaves the check out. Default 30 s. */
  stabilisationMs?: number
  recordsFlowing?: Toggle<Parameters<typeof recordsFlowing>[0]>
  watermarksAdvance?: Toggle<Parameters<typeof watermarksAdvance>[0]>
  backpressureNotHigh?: Toggle<Parameters<typeof backpressureNotHigh>[0]>
  /**
   * The sources have worked off their backlog (FLIP-27 `pendingRecords`); skipped, with the reason, for sources
   * that report none. Default true.
   */
  caughtUp?: Toggle<CaughtUpOptions>
  /** User checks, started once the standard ones passed, beside the stabilisation window. */
  custom?: readonly Check[]
}

export const DEFAULT_STABILISATION_MS = 30_000

/**
 * All vertices running first: it decides from the fresh jobs overview, and every other check reads routes
 * Flink caches for seconds (web.refresh-interval), so none may read them while green still deploys. Then,
 * side by side: restored from the savepoint (when one is given); N checkpoints after the restore, triggered
 * at once; the sources caught up with their backlog; the optional flow checks; and the stabilisation window, which counts every restart and exception
 * since green was submitted. User checks start once the others but the window passed.
 */
export function defaultChecks(options: DefaultChecksOptions = {}): Check[] {
  const running = allVerticesRunning()
  const checks: Check[] = []
  if (options.savepointPath)
    checks.push(
      restoredFromSavepoint({
        path: options.savepointPath,
        ...(options.allowCheckpointRestore ? { allowCheckpoint: true } : {}),
      }),
    )
  const checkpoints = options.checkpoints ?? 1
  if (checkpoints > 0)
    checks.push(checkpointsAfterRestore({ count: checkpoints, trigger: options.triggerCheckpoints ?? true }))
  const optional = <T>(toggle: Toggle<T> | undefined, make: (o: T | undefined) => Check) => {
    if (toggle) checks.push(make(toggle === true ? undefined : toggle))
  }
  optional(options.recordsFlowing, (o) => recordsFlowing(o))
  optional(options.watermarksAdvance, (o) => watermarksAdvance(o))
  optional(options.backpressureNotHigh, (o) => backpressureNotHigh(o))
  optional(options.caughtUp ?? true, (o) => caughtUp(o))
  // User checks wait for these, not for the window, which runs beside them.
  const standard = [running.name, ...checks.map((c) => c.name)]
  const stabilisationMs = options.stabilisationMs ?? DEFAULT_STABILISATION_MS
  if (stabilisationMs > 0) checks.push(stableFor({ windowMs: stabilisationMs, since: 'job-start' }))
  const custom = (options.custom ?? []).map(
    (c): Check => ({ name: c.name, after: [...standard, ...(c.after ?? [])], run: (ctx) => c.run(ctx) }),
  )
  return [running, ...checks.map((c) => after(running, c)), ...custom]
}

function after(first: Check, check: Check): Check {
  return { name: check.name, after: [first.name], run: (ctx) => check.run(ctx) }
}
