/**
 * The stop-and-restart upgrade, as an operator would run it by hand:
 *
 *   preflight → stop blue with a savepoint → start green from it → verify green → record the release.
 *
 * In last-state mode blue's latest retained checkpoint takes the savepoint's place: it is chosen and persisted,
 * then blue is cancelled (and a checkpoint blue completed meanwhile is taken instead), and a rollback runs blue
 * again from it.
 *
 * If the savepoint fails, blue is watched until it has settled: a healthy blue keeps running and nothing else
 * happens; a blue the failure restarted or failed goes to the checkpoint fallback when allowed, else needs
 * attention. If green does not start or fails verification, green is cancelled and blue
 * runs again from the same savepoint. Every failure ends in a named final state that says what runs now.
 */
import { lastStateMaxAgeMs } from '../upgrade/options.ts'
import { MACHINE_VERSION } from './machine-version.ts'
import {
  finalState,
  preflightState,
  recordingReleaseState,
  startingGreenState,
  stoppingBlueState,
  verifyingGreenState,
  watchingBlueState,
} from './shared-states.ts'
import type { UpgradeContext } from './upgrade-context.ts'
import { describeError, initialContext, upgradeSetup } from './upgrade-setup.ts'

const rollbackStep = (context: UpgradeContext) =>
  context.facts?.blue === undefined ? 'cancellingFirstDeployment' : 'rollingBack'

export const stopAndRestartMachine = upgradeSetup.createMachine({
  id: 'stop-and-restart',
  version: String(MACHINE_VERSION),
  context: ({ input }) => initialContext(input),
  initial: 'preflight',
  states: {
    preflight: preflightState({ fromBlue: 'stoppingBlue', lastStateTarget: 'choosingCheckpoint' }),
    stoppingBlue: stoppingBlueState('savepoint', { done: 'startingGreen', error: 'watchingBlue' }),

    watchingBlue: watchingBlueState({ fallback: 'fallingBackToCheckpoint' }),

    /** Blue is unhealthy (restarting, restarted or failed) and the user allowed it: use its latest retained checkpoint. */
    fallingBackToCheckpoint: {
      entry: [
        { type: 'enterStep', params: { step: 'fallingBackToCheckpoint' } },
        { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.timeouts.cancelMs }) },
      ],
      exit: { type: 'leaveStep', params: { step: 'fallingBackToCheckpoint' } },
      invoke: {
        id: 'useLatestCheckpoint',
        src: 'useLatestCheckpoint',
        input: ({ context }) => ({
          jobId: context.facts!.blue!.jobId,
          maxAgeMs: context.options.checkpointFallbackMaxAgeMs!,
          deadline: context.stepDeadline!,
        }),
        onDone: {
          target: 'startingGreen',
          actions: [
            { type: 'recordCheckpointFallback', params: ({ event }) => event.output },
            {
              type: 'warn',
              params: { message: 'blue could not take a savepoint; green starts from its latest checkpoint' },
            },
          ],
        },
        // The savepoint's error stays the run's error; why its way out was closed joins it as a warning.
        onError: {
          target: 'needsAttention',
          actions: {
            type: 'warn',
            params: ({ event }) => ({
              message: `the checkpoint fallback was not taken: ${describeError('fallingBackToCheckpoint', event.error).message}`,
            }),
          },
        },
      },
    },

    /** Last-state: checked again (time passed since preflight) and persisted before blue is touched. */
    choosingCheckpoint: {
      entry: [{ type: 'enterStep', params: { step: 'choosingCheckpoint' } }, 'chooseSavepointTrigger'],
      exit: { type: 'leaveStep', params: { step: 'choosingCheckpoint' } },
      invoke: {
        id: 'findLastState',
        src: 'findLastState',
        input: ({ context }) => ({
          jobId: context.facts!.blue!.jobId,
          maxAgeMs: lastStateMaxAgeMs(context.options),
        }),
        onDone: {
          target: 'cancellingBlue',
          actions: { type: 'recordCheckpointFallback', params: ({ event }) => event.output },
        },
        onError: {
          target: 'abortedBlueUntouched',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'choosingCheckpoint', error: event.error }),
          },
        },
      },
    },

    cancellingBlue: {
      entry: [
        { type: 'enterStep', params: { step: 'cancellingBlue' } },
        { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.timeouts.cancelMs }) },
      ],
      exit: { type: 'leaveStep', params: { step: 'cancellingBlue' } },
      invoke: {
        id: 'cancelForLastState',
        src: 'cancelForLastState',
        input: ({ context }) => ({
          jobId: context.facts!.blue!.jobId,
          chosen: context.savepoint!.location!,
          deadline: context.stepDeadline!,
        }),
        onDone: {
          target: 'startingGreen',
          actions: { type: 'recordCheckpointFallback', params: ({ event }) => event.output },
        },
        onError: {
          target: 'needsAttention',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'cancellingBlue', error: event.error }),
          },
        },
      },
    },

    startingGreen: startingGreenState({ error: 'rollingBack' }),
    verifyingGreen: verifyingGreenState({ passed: 'recordingRelease', failed: 'rollingBack' }),
    recordingRelease: recordingReleaseState,

    rollingBack: {
      // A first deployment has no blue to run again: the step says what it does, cancelling green.
      entry: [
        { type: 'enterStep', params: ({ context }) => ({ step: rollbackStep(context) }) },
        'announceRollback',
      ],
      exit: { type: 'leaveStep', params: ({ context }) => ({ step: rollbackStep(context) }) },
      initial: 'cancellingGreen',
      states: {
        cancellingGreen: {
          entry: {
            type: 'setDeadline',
            params: ({ context }) => ({ ms: context.options.timeouts.cancelMs }),
          },
          invoke: {
            id: 'cancelGreen',
            src: 'cancelJob',
            input: ({ context }) => ({
              jobId: context.green.jobId,
              deadline: context.stepDeadline!,
              role: 'green' as const,
            }),
            onDone: [
              { guard: 'isFirstDeployment', target: '#stop-and-restart.abortedBlueUntouched' },
              { guard: 'canRestartBlue', target: 'restartingBlue' },
              { target: '#stop-and-restart.needsAttention' },
            ],
            onError: '#stop-and-restart.needsAttention',
          },
        },
        restartingBlue: {
          invoke: {
            id: 'restartBlue',
            src: 'startJob',
            input: ({ context }) => ({
              role: 'blue' as const,
              jobId: context.rollbackJobId,
              settings: context.facts!.blue!.settings!,
              savepointPath: context.savepoint!.location,
              allowNonRestoredState: false,
              claimMode: 'NO_CLAIM' as const,
            }),
            onDone: {
              target: 'verifyingBlue',
              actions: {
                type: 'announceSubmission',
                params: ({ context }) => ({ role: 'blue', jobId: context.rollbackJobId }),
              },
            },
            onError: '#stop-and-restart.needsAttention',
          },
        },
        verifyingBlue: {
          entry: { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.verify.timeoutMs }) },
          invoke: {
            id: 'verifyBlue',
            src: 'verifyJob',
            input: ({ context }) => ({
              jobId: context.rollbackJobId,
              savepointPath: context.savepoint!.location,
              allowCheckpointRestore: context.savepoint!.kind === 'checkpoint',
              verify: { ...context.options.verify, stabilisationMs: 0 },
              deadline: context.stepDeadline!,
              role: 'blue' as const,
            }),
            onDone: [
              {
                guard: { type: 'passed', params: ({ event }) => ({ output: event.output }) },
                target: '#stop-and-restart.rolledBack',
                actions: {
                  type: 'recordChecks',
                  params: ({ event }) => ({ role: 'blue', output: event.output }),
                },
              },
              {
                target: '#stop-and-restart.needsAttention',
                actions: {
                  type: 'recordChecks',
                  params: ({ event }) => ({ role: 'blue', output: event.output }),
                },
              },
            ],
            onError: '#stop-and-restart.needsAttention',
          },
        },
      },
    },

    dryRun: finalState('dry-run'),
    upgraded: finalState('upgraded'),
    rolledBack: finalState('rolled-back'),
    abortedBlueUntouched: finalState('aborted-blue-untouched'),
    needsAttention: finalState('failed-needs-attention'),
  },
})
