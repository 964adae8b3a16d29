/**
 * What both upgrade machines share: their context, events, the actors they invoke (placeholders here,
 * provided by createUpgradeActors), the bookkeeping actions and the guards. The machines themselves only
 * arrange these into a runbook.
 */
import { assign, enqueueActions, fromPromise, setup } from 'xstate'
import { newTriggerId } from '../client/async-operation.ts'
import type { JobStatus } from '../client/schemas/common.ts'
import type { ClusterUrls } from '../cross-cluster/clusters.ts'
import { FlinkApiError, isFlinkDeployError, ReleaseStartFailedError } from '../errors.ts'
import type { DowntimeEstimate } from '../preflight/downtime-estimate.ts'
import { GATE_COLOUR_KEY, otherColour } from '../steps/handover/gate-config.ts'
import type { GateSubtask } from '../steps/handover/gate-metrics.ts'
import { type BothGates, type CutoverTaken, chooseCutover } from '../steps/handover/handover.ts'
import type { Progress } from '../steps/progress.ts'
import type { SavepointStepOutput } from '../steps/savepoint.ts'
import type { BlueAfterSavepoint, WatchBlueInput } from '../steps/watch-blue.ts'
import type { HandoverObject } from '../store/handover-object.ts'
import type { ResolvedUpgradeOptions, SavepointFormat } from '../upgrade/options.ts'
import type { RunSettings } from '../upgrade/run-settings.ts'
import type { CheckResult } from '../verify/check.ts'
import type {
  HandoverPhase,
  Outcome,
  PreflightFacts,
  UpgradeContext,
  UpgradeError,
} from './upgrade-context.ts'

export interface UpgradeInput {
  runId: string
  options: ResolvedUpgradeOptions
  greenJobId: string
  rollbackJobId: string
  clusters?: ClusterUrls
  /** handover gate: where the hand-over object is (already in green's configuration; its colour comes after preflight). */
  handoverPath?: string
}

export type UpgradeEvent = { type: 'PROMOTE' } | { type: 'REJECT'; reason?: string }

/** Events a run reports as it goes, for the CLI and the Action to render. */
export type UpgradeEmitted =
  | { type: 'step-entered'; step: string; at: number }
  | { type: 'step-left'; step: string; at: number; durationMs: number }
  | {
      type: 'savepoint-taken'
      location: string
      triggerId: string
      kind: 'savepoint' | 'checkpoint'
      /** The savepoint's format; absent for a checkpoint. */
      format?: SavepointFormat
      reconciled: boolean
      at: number
    }
  | { type: 'blue-settled'; blue: BlueAfterSavepoint; at: number }
  | { type: 'job-submitted'; role: 'green' | 'blue'; jobId: string; at: number }
  | { type: 'check-result'; role: 'green' | 'blue'; result: CheckResult }
  /** Green failed; `firstDeployment`: there is no blue to run again, so nothing stays deployed. */
  | { type: 'rollback-started'; reason: string; firstDeployment: boolean; at: number }
  | { type: 'warning'; message: string; at: number }
  /** What the upgrade will cost, known before anything is touched (a dry run's is in its result). */
  | { type: 'estimate'; estimate: DowntimeEstimate; at: number }
  /** The exactly-once hand-over moved on; `cutoverMillis` is T once chosen. */
  | { type: 'handover'; phase: HandoverPhase; cutoverMillis?: number; version: number; at: number }
  | Progress

export type StopBlueOutput = SavepointStepOutput
export type CheckpointFallbackOutput = { location: string }

export interface VerifyOutput {
  passed: boolean
  results: CheckResult[]
  allRunningAt?: number
}

const placeholder = <Out, In>(name: string) =>
  fromPromise<Out, In>(async () => {
    throw new Error(`actor ${name} must be provided (createUpgradeActors)`)
  })

/** Inputs of the actors, derived from context in the machines. */
export interface StartInput {
  /** Whose cluster the job starts on. */
  role: 'green' | 'blue'
  jarId?: string
  settings: RunSettings
  jobId: string
  savepointPath?: string
  allowNonRestoredState: boolean
  claimMode: UpgradeContext['green']['claimMode']
}

export interface VerifyJobInput {
  jobId: string
  savepointPath?: string
  allowCheckpointRestore?: boolean
  verify: ResolvedUpgradeOptions['verify']
  deadline: number
  role: 'green' | 'blue'
}

export interface CancelInput {
  jobId: string
  deadline: number
  /** Only green is ever cancelled; the role names its cluster. */
  role: 'green'
}

export interface GatesInput {
  blueJobId: string
  greenJobId: string
}

export interface HandoverWaitInput extends GatesInput {
  cutoverMillis: number
  deadline: number
}

/** Protocol step 0: the job whose gate must have read the object version this run wrote. */
export interface ObjectReadInput {
  jobId: string
  role: 'blue' | 'green'
  path: string
  version: number
  deadline: number
}

export interface SavepointInput {
  jobId: string
  triggerId: string
  triggeredAfter: number
  targetDirectory?: string
  format: SavepointFormat
  drain: boolean
  deadline: number
}

export const upgradeSetup = setup({
  types: {
    context: {} as UpgradeContext,
    input: {} as UpgradeInput,
    events: {} as UpgradeEvent,
    emitted: {} as UpgradeEmitted,
  },
  actors: {
    preflight: placeholder<PreflightFacts, { options: ResolvedUpgradeOptions }>('preflight'),
    stopBlue: placeholder<StopBlueOutput, SavepointInput>('stopBlue'),
    takeSavepoint: placeholder<SavepointStepOutput, SavepointInput>('takeSavepoint'),
    watchBlue: placeholder<BlueAfterSavepoint, Omit<WatchBlueInput, 'poll'>>('watchBlue'),
    useLatestCheckpoint: placeholder<
      CheckpointFallbackOutput,
      { jobId: string; maxAgeMs: number; deadline: number }
    >('useLatestCheckpoint'),
    findLastState: placeholder<CheckpointFallbackOutput, { jobId: string; maxAgeMs: number }>(
      'findLastState',
    ),
    cancelForLastState: placeholder<
      CheckpointFallbackOutput,
      { jobId: string; chosen: string; deadline: number }
    >('cancelForLastState'),
    startJob: placeholder<{ submitted: boolean }, StartInput>('startJob'),
    verifyJob: placeholder<VerifyOutput, VerifyJobInput>('verifyJob'),
    cancelJob: placeholder<{ finalStatus: JobStatus | 'UNKNOWN' }, CancelInput>('cancelJob'),
    recordRelease: placeholder<void, { context: UpgradeContext }>('recordRelease'),
    revalidate: placeholder<void, { blueJobId?: string; greenJobId: string }>('revalidate'),
    readGates: placeholder<BothGates, GatesInput>('readGates'),
    writeHandover: placeholder<void, { path: string; object: HandoverObject }>('writeHandover'),
    awaitObjectRead: placeholder<void, ObjectReadInput>('awaitObjectRead'),
    awaitCutoverTaken: placeholder<CutoverTaken, HandoverWaitInput>('awaitCutoverTaken'),
    awaitBluePastCutover: placeholder<{ watermark: number }, HandoverWaitInput>('awaitBluePastCutover'),
  },
  actions: {
    enterStep: enqueueActions(({ enqueue }, params: { step: string }) => {
      const at = Date.now()
      enqueue.assign({ steps: ({ context }) => [...context.steps, { step: params.step, enteredAt: at }] })
      enqueue.emit({ type: 'step-entered', step: params.step, at })
    }),
    leaveStep: enqueueActions(({ enqueue, context }, params: { step: string }) => {
      const at = Date.now()
      const entered = context.steps.findLast((s) => s.step === params.step)?.enteredAt ?? at
      enqueue.assign({
        steps: ({ context: c }) =>
          c.steps.map((s, i) =>
            i === c.steps.length - 1 && s.step === params.step ? { ...s, leftAt: at } : s,
          ),
        stepDeadline: undefined,
      })
      enqueue.emit({ type: 'step-left', step: params.step, at, durationMs: at - entered })
    }),
    /** Deadlines are absolute and set once, so a resumed step keeps the time it had left. */
    setDeadline: assign({
      stepDeadline: ({ context }, params: { ms: number }) => context.stepDeadline ?? Date.now() + params.ms,
    }),
    recordFacts: enqueueActions(({ enqueue, context }, facts: PreflightFacts) => {
      const warnings = facts.warnings ?? []
      enqueue.assign({ facts, warnings: [...context.warnings, ...warnings] })
      for (const message of warnings) enqueue.emit({ type: 'warning', message, at: Date.now() })
      if (facts.estimate && !context.options.dryRun)
        enqueue.emit({ type: 'estimate', estimate: facts.estimate, at: Date.now() })
    }),
    /** The trigger id is chosen and persisted before the savepoint request that uses it. */
    chooseSavepointTrigger: assign({
      savepoint: ({ context }) =>
        context.savepoint ?? { triggerId: newTriggerId(), triggeredAt: Date.now(), kind: 'savepoint' },
    }),
    chooseFinalSavepointTrigger: assign({
      finalSavepoint: ({ context }) =>
        context.finalSavepoint ?? { triggerId: newTriggerId(), triggeredAt: Date.now(), kind: 'savepoint' },
    }),
    recordFinalSavepoint: enqueueActions(({ enqueue, context }, output: SavepointStepOutput) => {
      const finalSavepoint = {
        ...context.finalSavepoint!,
        location: output.location,
        reconciled: output.reconciled,
      }
      enqueue.assign({ finalSavepoint })
      enqueue.emit({
        type: 'savepoint-taken',
        location: output.location,
        triggerId: finalSavepoint.triggerId,
        kind: 'savepoint',
        format: context.options.savepointFormat,
        reconciled: output.reconciled,
        at: Date.now(),
      })
    }),
    recordRejection: assign({
      error: (_, params: { reason?: string }) => ({
        step: 'awaitingPromotion',
        code: 'REJECTED',
        message: params.reason ?? 'green was rejected',
      }),
    }),
    recordSavepoint: enqueueActions(({ enqueue, context }, output: SavepointStepOutput) => {
      const savepoint = { ...context.savepoint!, location: output.location, reconciled: output.reconciled }
      enqueue.assign({ savepoint })
      enqueue.emit({
        type: 'savepoint-taken',
        location: output.location,
        triggerId: savepoint.triggerId,
        kind: savepoint.kind,
        format: context.options.savepointFormat,
        reconciled: output.reconciled,
        at: Date.now(),
      })
    }),
    announceSubmission: enqueueActions(({ enqueue }, params: { role: 'green' | 'blue'; jobId: string }) => {
      enqueue.emit({ type: 'job-submitted', role: params.role, jobId: params.jobId, at: Date.now() })
    }),
    recordChecks: enqueueActions(({ enqueue }, params: { role: 'green' | 'blue'; output: VerifyOutput }) => {
      for (const result of params.output.results)
        enqueue.emit({ type: 'check-result', role: params.role, result })
      if (params.role === 'green') {
        enqueue.assign({ checks: params.output.results, greenRunningAt: params.output.allRunningAt })
      } else {
        enqueue.assign({ rollbackChecks: params.output.results })
      }
    }),
    recordError: assign({
      error: ({ context }, params: { step: string; error: unknown }) =>
        context.error ?? describeError(params.step, params.error),
    }),
    /** Blue's condition joins the savepoint's error: the failure Flink reported for the savepoint is rarely the cause. */
    recordBlueAfterSavepoint: enqueueActions(({ enqueue, context }, blue: BlueAfterSavepoint) => {
      enqueue.assign({
        blueAfterSavepoint: blue,
        error: context.error && { ...context.error, message: withBlueCondition(context, blue) },
      })
      enqueue.emit({ type: 'blue-settled', blue, at: Date.now() })
    }),
    recordFailedChecks: assign({
      error: ({ context }, params: { step: string; output: VerifyOutput }) => {
        const failed = params.output.results.find((r) => !r.passed)
        const message = failed ? `check ${failed.name} failed: ${failed.message}` : 'verification failed'
        return context.error ?? { step: params.step, code: 'VERIFICATION_FAILED', message }
      },
    }),
    recordCheckpointFallback: enqueueActions(({ enqueue, context }, output: CheckpointFallbackOutput) => {
      const savepoint = {
        ...context.savepoint!,
        location: output.location,
        kind: 'checkpoint' as const,
        reconciled: false,
      }
      enqueue.assign({ savepoint, error: undefined })
      enqueue.emit({
        type: 'savepoint-taken',
        location: output.location,
        triggerId: savepoint.triggerId,
        kind: 'checkpoint',
        reconciled: false,
        at: Date.now(),
      })
    }),
    announceRollback: enqueueActions(({ enqueue, context }) => {
      enqueue.emit({
        type: 'rollback-started',
        reason: context.error?.message ?? 'verification failed',
        firstDeployment: context.facts?.blue === undefined,
        at: Date.now(),
      })
    }),
    warn: enqueueActions(({ enqueue }, params: { message: string }) => {
      enqueue.assign({ warnings: ({ context }) => [...context.warnings, params.message] })
      enqueue.emit({ type: 'warning', message: params.message, at: Date.now() })
    }),
    /**
     * Colours alternate: green runs as the other colour of blue's gate, so it has its own sink uid and
     * transactional-id prefix, and the object names blue's colour as the one handing over. A first deployment
     * with the gate runs as blue: it writes everything until a hand-over publishes T.
     */
    colourGreen: assign(({ context }) => {
      if (!context.handover) return {}
      const from = context.facts?.blueGate?.colour
      return {
        green: {
          ...context.green,
          settings: {
            ...context.green.settings,
            flinkConfiguration: {
              ...context.green.settings.flinkConfiguration,
              [GATE_COLOUR_KEY]: from ? otherColour(from) : 'blue',
            },
          },
        },
        handover: { ...context.handover, ...(from ? { from } : {}) },
      }
    }),
    /** Protocol step 1: T past everything either gate decided; the object's next version carries it. */
    chooseCutover: enqueueActions(({ enqueue, context }, gates: BothGates) => {
      const handover = context.handover!
      const cutoverMillis = chooseCutover(gates.blue, gates.green, context.options.handoverMarginMs)
      const next = {
        ...handover,
        phase: 'cutover-chosen' as const,
        cutoverMillis,
        version: handover.version + 1,
        abandoned:
          handover.cutoverMillis === undefined
            ? handover.abandoned
            : [...handover.abandoned, handover.cutoverMillis],
      }
      enqueue.assign({ handover: next })
      enqueue.emit({
        type: 'handover',
        phase: next.phase,
        cutoverMillis,
        version: next.version,
        at: Date.now(),
      })
    }),
    handoverPhase: enqueueActions(
      ({ enqueue, context }, params: { phase: HandoverPhase; nextVersion?: boolean }) => {
        const handover = {
          ...context.handover!,
          phase: params.phase,
          version: context.handover!.version + (params.nextVersion ? 1 : 0),
        }
        enqueue.assign({ handover })
        enqueue.emit({
          type: 'handover',
          phase: handover.phase,
          cutoverMillis: handover.cutoverMillis,
          version: handover.version,
          at: Date.now(),
        })
      },
    ),
    setOutcome: assign({ outcome: (_, params: { outcome: Outcome }) => params.outcome }),
  },
  guards: {
    isDryRun: ({ context }) => context.options.dryRun,
    isFirstDeployment: ({ context }) => context.facts?.blue === undefined,
    foundNoBlue: (_, params: { facts: PreflightFacts }) => params.facts.blue === undefined,
    isHealthy: (_, params: { blue: BlueAfterSavepoint }) => params.blue.condition === 'healthy',
    canFallBackToCheckpoint: ({ context }) => context.options.checkpointFallbackMaxAgeMs !== undefined,
    passed: (_, params: { output: VerifyOutput }) => params.output.passed,
    canRestartBlue: ({ context }) =>
      context.facts?.blue?.settings !== undefined && context.savepoint?.location !== undefined,
    wantsManualPromotion: ({ context }) => context.options.manualPromotion,
    isStateless: ({ context }) => context.options.stateless,
    isLastState: ({ context }) => context.options.upgradeMode === 'last-state',
    handsOver: ({ context }) => context.handover !== undefined,
    nothingPublished: ({ context }) => context.handover?.phase === 'standby',
    /** Green writes nothing until T: before the first T, every subtask of its gate must be in standby. */
    greenNotInStandby: ({ context }, params: { gates: BothGates }) =>
      context.handover?.phase === 'standby' &&
      params.gates.green.some((g: GateSubtask) => g.state !== 'standby'),
    /** A blue subtask already decides with the T published before: it stays, whatever a gate reported. */
    blueTookPublishedCutover: ({ context }, params: { gates: BothGates }) =>
      context.handover?.cutoverMillis !== undefined &&
      context.handover.phase !== 'standby' &&
      params.gates.blue.some(
        (g: GateSubtask) =>
          g.cutoverSeen && g.cutoverMillis === context.handover!.cutoverMillis && g.role !== 'new',
      ),
    cutoverCameLate: (_, params: { taken: CutoverTaken }) => params.taken.outcome === 'late',
    someBlueTookCutoverLate: (_, params: { taken: CutoverTaken }) =>
      params.taken.outcome === 'seen' && params.taken.late.length > 0,
  },
})

/** Flink 2.x's answer to a canonical savepoint of an operator on the async state API (StreamOperatorStateHandler). */
const CANONICAL_REFUSED = /UnsupportedOperationException: Not supported yet/

export function refusedCanonical(blue: BlueAfterSavepoint): boolean {
  return blue.exceptions.some((e) => CANONICAL_REFUSED.test(e))
}

function withBlueCondition(context: UpgradeContext, blue: BlueAfterSavepoint): string {
  const base = context.error?.message.replace(/[.\s]+$/, '') ?? 'the savepoint failed'
  const cause = blue.exceptions[0] ? ` (${blue.exceptions[0]})` : ''
  const times = `${blue.failures} time${blue.failures === 1 ? '' : 's'}`
  const condition = {
    healthy: '',
    restarted: `; the savepoint failed blue's task: blue restarted ${times}${cause} and runs again from its latest checkpoint`,
    restarting: `; the savepoint failed blue's task: blue failed ${times}${cause} and is ${blue.state}, not settled after ${Math.round(blue.watchedMs / 1000)} s`,
    ended: `; the savepoint failed blue's task: blue is ${blue.state} after ${blue.failures} failure${blue.failures === 1 ? '' : 's'}${cause}`,
  }[blue.condition]
  const hint =
    refusedCanonical(blue) && context.options.savepointFormat === 'canonical'
      ? '. The job refuses canonical savepoints (operators on the async state API): use savepoint format native'
      : ''
  return `${base}${condition}${hint}`
}

export function describeError(step: string, error: unknown): UpgradeError {
  if (error instanceof ReleaseStartFailedError && error.cause instanceof FlinkApiError)
    return { step, code: error.code, message: error.message, flinkAnswer: error.cause.errors.join('\n') }
  if (isFlinkDeployError(error)) return { step, code: error.code, message: error.message }
  return { step, code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) }
}

export function initialContext(input: UpgradeInput): UpgradeContext {
  const { options } = input
  const startedAt = Date.now()
  return {
    runId: input.runId,
    strategy: options.strategy,
    options,
    ...(input.clusters ? { clusters: input.clusters } : {}),
    startedAt,
    green: {
      jobId: input.greenJobId,
      claimMode: options.claimMode,
      settings: {
        jarPath: options.jar,
        entryClass: options.entryClass,
        programArgs: options.args,
        parallelism: options.parallelism,
        flinkConfiguration: options.flinkConfiguration,
      },
    },
    rollbackJobId: input.rollbackJobId,
    ...(input.handoverPath
      ? // The run's own first version (its start, in ms): a gate that reports it has read this run's object.
        {
          handover: {
            path: input.handoverPath,
            phase: 'standby' as const,
            version: startedAt,
            abandoned: [],
          },
        }
      : {}),
    checks: [],
    rollbackChecks: [],
    steps: [],
    warnings: [],
  }
}
