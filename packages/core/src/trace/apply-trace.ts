/**
 * The spans of `apply`: one for the whole manifest, each job's run a child of it (a job without a run, blocked
 * or failed before it started, ends with its error).
 */
import type { ApplyRuntime, FleetResult } from '../fleet/apply.ts'
import type { RunTrace } from './run-trace.ts'
import type { Tracing } from './tracing.ts'

export interface ApplyTrace {
  onJob: NonNullable<ApplyRuntime['onJob']>
  onEvent: NonNullable<ApplyRuntime['onEvent']>
  end(outcome: { result?: FleetResult; error?: unknown }): void
}

export function traceApply(tracing: Tracing, cluster: string): ApplyTrace {
  const traced = tracing.run({ command: 'apply', cluster })
  const jobs = new Map<string, RunTrace>()
  return {
    onJob(job, phase, applied) {
      if (phase === 'started') jobs.set(job, traced.child({ command: 'upgrade', job, cluster }))
      else jobs.get(job)?.end(applied?.result ? { result: applied.result } : { error: applied?.error })
    },
    onEvent: (job, event) => jobs.get(job)?.onEvent(event),
    end({ result, error }) {
      const failed = result?.jobs.filter((j) => j.status === 'failed').map((j) => j.job) ?? []
      if (result && !result.ok)
        traced.end({
          error: { code: 'APPLY_FAILED', message: `not applied: ${failed.join(', ') || 'stopped'}` },
        })
      else traced.end(error === undefined ? {} : { error })
    },
  }
}
