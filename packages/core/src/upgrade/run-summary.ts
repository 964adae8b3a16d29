/**
 * A stored run in a few fields, for `status` on any machine that reads the same store: where it stands,
 * which jobs it made, and the savepoint to recover from.
 */
import type { ClusterUrls } from '../cross-cluster/clusters.ts'
import {
  greenStartEnded,
  type HandoverRecord,
  type Outcome,
  type UpgradeContext,
} from '../machines/upgrade-context.ts'
import type { PersistedRun } from '../store/state-store.ts'

export interface RunSummary {
  runId: string
  machine: string
  updatedAt: string
  /** 'active': unfinished (interrupted, or waiting for promotion); 'done': ended in a final state. */
  status: 'active' | 'done' | 'error'
  /** The state the run was in (its step), e.g. 'verifyingGreen', 'upgraded'. */
  step: string
  outcome?: Outcome
  /** A move to another cluster: where blue runs and where green goes. */
  clusters?: ClusterUrls
  blueJobId?: string
  greenJobId?: string
  savepointPath?: string
  /** handover gate: the hand-over's phase and its cutover T, e.g. in progress when a run was interrupted. */
  handover?: Pick<HandoverRecord, 'phase' | 'cutoverMillis' | 'path'>
  error?: { step: string; code: string; message: string }
}

/** A run that reached a final state; any other stored run is interrupted and can be resumed. */
export function isFinished(run: PersistedRun): boolean {
  return (run.snapshot as { status?: string }).status === 'done'
}

export function summariseRun(run: PersistedRun): RunSummary {
  const snapshot = run.snapshot as { status?: string; value?: unknown; context?: Partial<UpgradeContext> }
  const context = snapshot.context ?? {}
  const value = snapshot.value
  const step =
    typeof value === 'string' ? value : value && typeof value === 'object' ? Object.keys(value)[0]! : '?'
  const status = snapshot.status === 'done' ? 'done' : snapshot.status === 'error' ? 'error' : 'active'
  return {
    runId: run.runId,
    machine: run.machine,
    updatedAt: run.updatedAt,
    status,
    step,
    ...(context.outcome ? { outcome: context.outcome } : {}),
    ...(context.clusters ? { clusters: context.clusters } : {}),
    ...(context.facts?.blue?.jobId ? { blueJobId: context.facts.blue.jobId } : {}),
    ...(context.green?.jobId && greenStartEnded(context.steps) ? { greenJobId: context.green.jobId } : {}),
    ...(context.savepoint?.location ? { savepointPath: context.savepoint.location } : {}),
    ...(context.handover
      ? {
          handover: {
            phase: context.handover.phase,
            path: context.handover.path,
            ...(context.handover.cutoverMillis !== undefined
              ? { cutoverMillis: context.handover.cutoverMillis }
              : {}),
          },
        }
      : {}),
    ...(context.error ? { error: context.error } : {}),
  }
}
