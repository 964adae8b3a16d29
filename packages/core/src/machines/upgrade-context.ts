/**
 * The data an upgrade carries from step to step. All of it is JSON, persisted after every transition, so
 * a run can resume in another process: ids are chosen here before the requests that use them.
 */
import type { ClaimMode } from '../client/schemas/jars.ts'
import type { ClusterUrls } from '../cross-cluster/clusters.ts'
import type { DowntimeEstimate } from '../preflight/downtime-estimate.ts'
import type { GateColour } from '../steps/handover/gate-config.ts'
import type { BlueAfterSavepoint } from '../steps/watch-blue.ts'
import type { ResolvedUpgradeOptions } from '../upgrade/options.ts'
import type { JobRef, RunSettings } from '../upgrade/run-settings.ts'
import type { CheckResult } from '../verify/check.ts'

export type Outcome =
  | 'upgraded'
  | 'rolled-back'
  | 'aborted-blue-untouched'
  | 'failed-needs-attention'
  | 'awaiting-promotion'
  | 'dry-run'

export interface StepRecord {
  step: string
  enteredAt: number
  leftAt?: number
}

export interface SavepointRecord {
  /** Chosen before the request, so a repeated request is the same operation. */
  triggerId: string
  triggeredAt: number
  /** Set once Flink reported it: from this moment it is the recovery point. */
  location?: string
  reconciled?: boolean
  /** 'savepoint' of blue, or 'checkpoint' when the checkpoint fallback was used. */
  kind: 'savepoint' | 'checkpoint'
}

export interface UpgradeError {
  step: string
  code: string
  /** One line a person can act on. */
  message: string
  /** Flink's whole answer behind the message (Java stack traces), for whoever asks for it. */
  flinkAnswer?: string
}

/** Facts found by preflight; nothing was changed on the cluster to find them except uploading green's jar. */
export interface PreflightFacts {
  flinkVersion: string
  blue?: JobRef
  /** Where blue's savepoints go (given, or the cluster's setting); named in errors if a result is lost. */
  savepointDir?: string
  greenJarId: string
  greenJarSha256: string
  greenJarUploaded: boolean
  /** Blue vertices whose state green would not take (allowed only with allowNonRestoredState). */
  droppedState: { vertexId: string; name: string; stateBytes?: number }[]
  freeSlots: number
  steps: string[]
  /** What preflight found worth saying that does not stop the run (e.g. a backend that may refuse the savepoint format). */
  warnings?: string[]
  /** A move to another cluster: the Flink version green runs on. */
  targetFlinkVersion?: string
  /** Blue's state size and the downtime its checkpoint history suggests. */
  estimate?: DowntimeEstimate
  /**
   * handover gate: blue's gate colour (green runs as the other) and role (`new`: blue took over in an earlier
   * hand-over, and the object must name blue as handing over before green starts).
   */
  blueGate?: { colour: GateColour; role: 'old' | 'new' }
}

/** Where the exactly-once hand-over stands (packages/flink-gate's protocol), persisted before each write of the object. */
export type HandoverPhase =
  /** Green runs verified, its gate in standby; nothing is published (at most an object naming `from`). */
  | 'standby'
  /** T is chosen (and persisted): the next step publishes it. */
  | 'cutover-chosen'
  /** The object holds T: blue passes only records before T, green waits for records at or past it. */
  | 'cutover-published'
  /** Every blue gate subtask decides with T. */
  | 'cutover-taken'
  /** The object says greenPasses: green writes records from T on. */
  | 'green-passing'
  /** Blue's watermark reached T on every gate subtask: blue has written all it will write. */
  | 'blue-past-cutover'

export interface HandoverRecord {
  /** The object both gates read (their flink-deploy.handover.path). */
  path: string
  /** The colour that hands over (blue's), written into every object as `from`; absent in runs from before it. */
  from?: GateColour
  phase: HandoverPhase
  /** The cutover T, event-time ms; once a blue subtask has taken it, it never changes. */
  cutoverMillis?: number
  /** The version of the object last chosen for writing. */
  version: number
  /** Earlier Ts a gate took too late, before any blue subtask had taken them. */
  abandoned: number[]
}

export interface UpgradeContext {
  runId: string
  strategy: ResolvedUpgradeOptions['strategy']
  options: ResolvedUpgradeOptions
  /** Where blue and green run: set when the job moves to another cluster, so a resume can check its target. */
  clusters?: ClusterUrls
  startedAt: number
  facts?: PreflightFacts
  green: { jobId: string; settings: RunSettings; claimMode: ClaimMode }
  /** Job id for blue's restart if green must be rolled back; chosen up front like green's. */
  rollbackJobId: string
  savepoint?: SavepointRecord
  /** Blue-green: the savepoint blue stopped with once green took over; the rollback target from then on. */
  finalSavepoint?: SavepointRecord
  /** How blue was once it settled after a failed savepoint; a savepoint that fails a task restarts the job. */
  blueAfterSavepoint?: BlueAfterSavepoint
  /** Epoch ms every subtask of green was RUNNING, from Flink's subtask timestamps. */
  greenRunningAt?: number
  /** The exactly-once hand-over of blue-green with handover gate. */
  handover?: HandoverRecord
  checks: CheckResult[]
  rollbackChecks: CheckResult[]
  steps: StepRecord[]
  /** Absolute deadline of the current step, so it survives a restart of the process. */
  stepDeadline?: number
  error?: UpgradeError
  warnings: string[]
  outcome?: Outcome
}

/**
 * Whether green may have been submitted: its start step ran to an end. Entering the step submits nothing
 * (a run whose state could not be persisted stops there, before the request).
 */
export function greenStartEnded(steps: readonly StepRecord[] | undefined): boolean {
  return steps?.some((s) => s.step === 'startingGreen' && s.leftAt !== undefined) === true
}
