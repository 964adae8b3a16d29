/**
 * Verification checks: each looks at a running job through the REST API, within its own deadline, and
 * returns a verdict with the evidence it saw (states, paths, counts), so a report can show why it passed.
 */
import type { FlinkClient } from '../client/flink-client.ts'

export interface CheckContext {
  client: FlinkClient
  /** The job under verification (green). */
  jobId: string
  /** The savepoint green must have restored from, when it was started from one. */
  savepointPath?: string
  /** Epoch ms by which the check must have decided; a check still waiting then fails. */
  deadline: number
  signal?: AbortSignal
}

export interface CheckResult {
  name: string
  passed: boolean
  /** One sentence for people: what was seen. */
  message: string
  /** Machine-readable facts behind the verdict. */
  evidence: Record<string, unknown>
  startedAt: number
  durationMs: number
}

export interface Check {
  name: string
  /**
   * Names of checks earlier in the list that must pass before this one starts (runChecks starts every other
   * check at once). A check waiting for one that failed never starts.
   */
  after?: readonly string[]
  run(ctx: CheckContext): Promise<CheckResult>
}

/** A verdict of check `name` that started at `startedAt` (epoch ms), timed until now. */
export function checkResult(
  name: string,
  startedAt: number,
  passed: boolean,
  message: string,
  evidence: Record<string, unknown>,
): CheckResult {
  return { name, passed, message, evidence, startedAt, durationMs: Date.now() - startedAt }
}
