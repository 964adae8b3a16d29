/**
 * The blue-green upgrade: green starts from a savepoint of blue while blue keeps running, and blue stops
 * only once green is verified (and, with manual promotion, promoted):
 *
 *   preflight → savepoint blue → start green beside it → verify green → [await promotion] → stop blue.
 *
 * Until blue stops, any failure only cancels green: blue was never touched. Both jobs run at once between
 * green's start and blue's stop; the result reports that duplicate window, which matters for sinks that are
 * not idempotent.
 */
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
import { initialContext, upgradeSetup } from './upgrade-setup.ts'

export const blueGreenMachine = upgradeSetup.createMachine({
  id: 'blue-green',
  version: String(MACHINE_VERSION),
  context: ({ input }) => initialContext(input),
  initial: 'preflight',
  states: {
    preflight: preflightState({ fromBlue: 'savepointingBlue', statelessTarget: 'startingGreen' }),

    savepointingBlue: {
      entry: [
        { type: 'enterStep', params: { step: 'savepointingBlue' } },
        'chooseSavepointTrigger',
        { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.timeouts.savepointMs }) },
      ],
      exit: { type: 'leaveStep', params: { step: 'savepointingBlue' } },
      invoke: {
        id: 'takeSavepoint',
        src: 'takeSavepoint',
        input: ({ context }) => ({
          jobId: context.facts!.blue!.jobId,
          triggerId: context.savepoint!.triggerId,
          triggeredAfter: context.savepoint!.triggeredAt,
          targetDirectory: context.facts!.savepointDir,
          format: context.options.savepointFormat,
          drain: false,
          deadline: context.stepDeadline!,
        }),
        onDone: {
          target: 'startingGreen',
          actions: { type: 'recordSavepoint', params: ({ event }) => event.output },
        },
        onError: {
          target: 'watchingBlue',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'savepointingBlue', error: event.error }),
          },
        },
      },
    },

    /** Green has not started: only blue's own condition decides whether it was touched. */
    watchingBlue: watchingBlueState({}),

    startingGreen: startingGreenState({ error: 'cancellingGreen' }),
    verifyingGreen: verifyingGreenState({ passed: 'deciding', failed: 'cancellingGreen' }),

    deciding: {
      always: [
        { guard: 'isFirstDeployment', target: 'recordingRelease' },
        { guard: 'wantsManualPromotion', target: 'awaitingPromotion' },
        { target: 'stoppingBlue' },
      ],
    },

    /** Persisted and left: promote() or reject() continues from here, in this process or another. */
    awaitingPromotion: {
      entry: { type: 'enterStep', params: { step: 'awaitingPromotion' } },
      exit: { type: 'leaveStep', params: { step: 'awaitingPromotion' } },
      on: {
        PROMOTE: 'revalidating',
        REJECT: {
          target: 'cancellingGreen',
          actions: { type: 'recordRejection', params: ({ event }) => ({ reason: event.reason }) },
        },
      },
    },

    /** Time may have passed since verification: both jobs must still run before blue is stopped. */
    revalidating: {
      entry: { type: 'enterStep', params: { step: 'revalidating' } },
      exit: { type: 'leaveStep', params: { step: 'revalidating' } },
      invoke: {
        id: 'revalidate',
        src: 'revalidate',
        input: ({ context }) => ({ blueJobId: context.facts?.blue?.jobId, greenJobId: context.green.jobId }),
        onDone: 'stoppingBlue',
        onError: {
          target: 'cancellingGreen',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'revalidating', error: event.error }),
          },
        },
      },
    },

    stoppingBlue: stoppingBlueState('finalSavepoint', { done: 'recordingRelease', error: 'needsAttention' }),
    recordingRelease: recordingReleaseState,

    cancellingGreen: {
      entry: [
        { type: 'enterStep', params: { step: 'cancellingGreen' } },
        { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.timeouts.cancelMs }) },
      ],
      exit: { type: 'leaveStep', params: { step: 'cancellingGreen' } },
      invoke: {
        id: 'cancelGreen',
        src: 'cancelJob',
        input: ({ context }) => ({
          jobId: context.green.jobId,
          deadline: context.stepDeadline!,
          role: 'green' as const,
        }),
        onDone: 'abortedBlueUntouched',
        onError: 'needsAttention',
      },
    },

    dryRun: finalState('dry-run'),
    upgraded: finalState('upgraded'),
    abortedBlueUntouched: finalState('aborted-blue-untouched'),
    needsAttention: finalState('failed-needs-attention'),
  },
})
