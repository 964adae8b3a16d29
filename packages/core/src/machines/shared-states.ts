/**
 * The steps both upgrade machines take the same way: preflight, stopping blue with a savepoint, starting
 * green, verifying it, recording the release, and the final states. Each machine places them with its own
 * targets (where a failure leads differs: a rollback, or only cancelling green).
 */
import type { BlueAfterSavepoint } from '../steps/watch-blue.ts'
import type { Outcome, PreflightFacts, UpgradeContext } from './upgrade-context.ts'
import { upgradeSetup } from './upgrade-setup.ts'

/** Entered and left steps are recorded with their times and reported as events. */
const stepMarks = (step: string) => ({
  entry: { type: 'enterStep' as const, params: { step } },
  exit: { type: 'leaveStep' as const, params: { step } },
})

/** The savepoint green starts from: blue's, or the one given for a first deployment; none when stateless. */
export const greenRestorePath = (context: UpgradeContext) =>
  context.options.stateless ? undefined : (context.savepoint?.location ?? context.options.initialSavepoint)

const recordFacts = {
  type: 'recordFacts' as const,
  params: ({ event }: { event: { output: PreflightFacts } }) => event.output,
}

/** Nothing has changed yet: a failure here leaves blue untouched. */
export const preflightState = (targets: {
  fromBlue: string
  statelessTarget?: string
  lastStateTarget?: string
}) =>
  upgradeSetup.createStateConfig({
    ...stepMarks('preflight'),
    invoke: {
      id: 'preflight',
      src: 'preflight',
      input: ({ context }) => ({ options: context.options }),
      onDone: [
        { guard: 'isDryRun', target: 'dryRun', actions: recordFacts },
        {
          guard: { type: 'foundNoBlue', params: ({ event }) => ({ facts: event.output }) },
          target: 'startingGreen',
          actions: [recordFacts, 'colourGreen'],
        },
        ...(targets.statelessTarget
          ? [{ guard: 'isStateless' as const, target: targets.statelessTarget, actions: recordFacts }]
          : []),
        ...(targets.lastStateTarget
          ? [{ guard: 'isLastState' as const, target: targets.lastStateTarget, actions: recordFacts }]
          : []),
        { target: targets.fromBlue, actions: [recordFacts, 'colourGreen'] },
      ],
      onError: {
        target: 'abortedBlueUntouched',
        actions: { type: 'recordError', params: ({ event }) => ({ step: 'preflight', error: event.error }) },
      },
    },
  })

/** Stops blue with a savepoint whose trigger id is chosen (and persisted) on entry. */
export const stoppingBlueState = (
  record: 'savepoint' | 'finalSavepoint',
  targets: { done: string; error: string },
) =>
  upgradeSetup.createStateConfig({
    entry: [
      { type: 'enterStep', params: { step: 'stoppingBlue' } },
      record === 'savepoint' ? 'chooseSavepointTrigger' : 'chooseFinalSavepointTrigger',
      { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.timeouts.savepointMs }) },
    ],
    exit: { type: 'leaveStep', params: { step: 'stoppingBlue' } },
    invoke: {
      id: 'stopBlue',
      src: 'stopBlue',
      input: ({ context }) => ({
        jobId: context.facts!.blue!.jobId,
        triggerId: context[record]!.triggerId,
        triggeredAfter: context[record]!.triggeredAt,
        targetDirectory: context.facts!.savepointDir,
        format: context.options.savepointFormat,
        drain: context.options.drain,
        deadline: context.stepDeadline!,
      }),
      onDone: {
        target: targets.done,
        actions: {
          type: record === 'savepoint' ? 'recordSavepoint' : 'recordFinalSavepoint',
          params: ({ event }) => event.output,
        },
      },
      onError: {
        target: targets.error,
        actions: {
          type: 'recordError',
          params: ({ event }) => ({ step: 'stoppingBlue', error: event.error }),
        },
      },
    },
  })

/**
 * The savepoint failed. Flink keeps blue running when the failure was the coordinator's, but a snapshot that
 * throws in a task restarts blue or fails it: watch it until it has settled before saying anything. Only a
 * blue that runs with no failure since the savepoint is untouched; the savepoint is never tried again here.
 */
/** A blue that has not run quietly for one settle window in this many is reported as still failing. */
const BLUE_WATCH_WINDOWS = 3

export const watchingBlueState = (targets: { fallback?: string }) =>
  upgradeSetup.createStateConfig({
    entry: [
      { type: 'enterStep', params: { step: 'watchingBlue' } },
      {
        type: 'setDeadline',
        params: ({ context }) => ({ ms: BLUE_WATCH_WINDOWS * context.options.timeouts.blueSettleMs }),
      },
    ],
    exit: { type: 'leaveStep', params: { step: 'watchingBlue' } },
    invoke: {
      id: 'watchBlue',
      src: 'watchBlue',
      input: ({ context }) => ({
        jobId: context.facts!.blue!.jobId,
        since: context.savepoint!.triggeredAt,
        settleMs: context.options.timeouts.blueSettleMs,
        deadline: context.stepDeadline!,
      }),
      onDone: [
        {
          guard: { type: 'isHealthy', params: ({ event }) => ({ blue: event.output }) },
          target: 'abortedBlueUntouched',
          actions: { type: 'recordBlueAfterSavepoint', params: ({ event }) => event.output },
        },
        ...(targets.fallback
          ? [
              {
                guard: 'canFallBackToCheckpoint' as const,
                target: targets.fallback,
                actions: {
                  type: 'recordBlueAfterSavepoint' as const,
                  params: ({ event }: { event: { output: BlueAfterSavepoint } }) => event.output,
                },
              },
            ]
          : []),
        {
          target: 'needsAttention',
          actions: { type: 'recordBlueAfterSavepoint', params: ({ event }) => event.output },
        },
      ],
      onError: 'needsAttention',
    },
  })

/** Submits green with the job id chosen when the run began. */
export const startingGreenState = (targets: { error: string }) =>
  upgradeSetup.createStateConfig({
    ...stepMarks('startingGreen'),
    invoke: {
      id: 'startGreen',
      src: 'startJob',
      input: ({ context }) => ({
        role: 'green' as const,
        jarId: context.facts!.greenJarId,
        jobId: context.green.jobId,
        settings: context.green.settings,
        savepointPath: greenRestorePath(context),
        // The hand-over gives each colour its own sink uid: blue's sink state stays with blue, which commits it.
        allowNonRestoredState: context.options.allowNonRestoredState || context.handover !== undefined,
        claimMode: context.green.claimMode,
      }),
      onDone: {
        target: 'verifyingGreen',
        actions: {
          type: 'announceSubmission',
          params: ({ context }) => ({ role: 'green', jobId: context.green.jobId }),
        },
      },
      onError: {
        target: targets.error,
        actions: {
          type: 'recordError',
          params: ({ event }) => ({ step: 'startingGreen', error: event.error }),
        },
      },
    },
  })

export const verifyingGreenState = (targets: { passed: string; failed: string }) =>
  upgradeSetup.createStateConfig({
    entry: [
      { type: 'enterStep', params: { step: 'verifyingGreen' } },
      { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.verify.timeoutMs }) },
    ],
    exit: { type: 'leaveStep', params: { step: 'verifyingGreen' } },
    invoke: {
      id: 'verifyGreen',
      src: 'verifyJob',
      input: ({ context }) => ({
        jobId: context.green.jobId,
        savepointPath: greenRestorePath(context),
        // Under CLAIM, Flink takes the savepoint over as one of the job's checkpoints, and its statistics
        // report the restore as a checkpoint (seen on 2.3): the path must still match.
        allowCheckpointRestore:
          context.savepoint?.kind === 'checkpoint' || context.green.claimMode === 'CLAIM',
        verify: context.options.verify,
        deadline: context.stepDeadline!,
        role: 'green' as const,
      }),
      onDone: [
        {
          guard: { type: 'passed', params: ({ event }) => ({ output: event.output }) },
          target: targets.passed,
          actions: { type: 'recordChecks', params: ({ event }) => ({ role: 'green', output: event.output }) },
        },
        {
          target: targets.failed,
          actions: [
            { type: 'recordChecks', params: ({ event }) => ({ role: 'green', output: event.output }) },
            {
              type: 'recordFailedChecks',
              params: ({ event }) => ({ step: 'verifyingGreen', output: event.output }),
            },
          ],
        },
      ],
      onError: {
        target: targets.failed,
        actions: {
          type: 'recordError',
          params: ({ event }) => ({ step: 'verifyingGreen', error: event.error }),
        },
      },
    },
  })

/** Green is the release now; a failure to write the record does not undo that, it only warns. */
export const recordingReleaseState = upgradeSetup.createStateConfig({
  ...stepMarks('recordingRelease'),
  invoke: {
    id: 'recordRelease',
    src: 'recordRelease',
    input: ({ context }) => ({ context }),
    onDone: 'upgraded',
    onError: {
      target: 'upgraded',
      actions: {
        type: 'warn',
        params: ({ event }) => ({
          message: `the release could not be recorded (${event.error instanceof Error ? event.error.message : String(event.error)}); a later rollback needs rollback settings, and the jobs running are listed below`,
        }),
      },
    },
  },
})

export const finalState = (outcome: Outcome) =>
  upgradeSetup.createStateConfig({ type: 'final', entry: { type: 'setOutcome', params: { outcome } } })
