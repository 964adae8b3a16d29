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
import { initialContext, upgradeSetup } from './upgrade-setup.ts'

export const blueGreenMachine = upgradeSetup.createMachine({
  id: 'blue-green',
  version: String(MACHINE_VERSION),
  context: ({ input }) => initialContext(input),
  initial: 'preflight',
  states: {
    preflight: {
      entry: { type: 'enterStep', params: { step: 'preflight' } },
      exit: { type: 'leaveStep', params: { step: 'preflight' } },
      invoke: {
        id: 'preflight',
        src: 'preflight',
        input: ({ context }) => ({ options: context.options }),
        onDone: [
          {
            guard: 'isDryRun',
            target: 'dryRun',
            actions: { type: 'recordFacts', params: ({ event }) => event.output },
          },
          {
            guard: { type: 'foundNoBlue', params: ({ event }) => ({ facts: event.output }) },
            target: 'startingGreen',
            actions: { type: 'recordFacts', params: ({ event }) => event.output },
          },
          {
            guard: 'isStateless',
            target: 'startingGreen',
            actions: { type: 'recordFacts', params: ({ event }) => event.output },
          },
          {
            target: 'savepointingBlue',
            actions: { type: 'recordFacts', params: ({ event }) => event.output },
          },
        ],
        onError: {
          target: 'abortedBlueUntouched',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'preflight', error: event.error }),
          },
        },
      },
    },

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
          drain: false,
          deadline: context.stepDeadline!,
        }),
        onDone: {
          target: 'startingGreen',
          actions: { type: 'recordSavepoint', params: ({ event }) => event.output },
        },
        onError: {
          target: 'abortedBlueUntouched',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'savepointingBlue', error: event.error }),
          },
        },
      },
    },

    startingGreen: {
      entry: { type: 'enterStep', params: { step: 'startingGreen' } },
      exit: { type: 'leaveStep', params: { step: 'startingGreen' } },
      invoke: {
        id: 'startGreen',
        src: 'startJob',
        input: ({ context }) => ({
          jarId: context.facts!.greenJarId,
          jobId: context.green.jobId,
          settings: context.green.settings,
          savepointPath: context.options.stateless
            ? undefined
            : (context.savepoint?.location ?? context.options.initialSavepoint),
          allowNonRestoredState: context.options.allowNonRestoredState,
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
          target: 'cancellingGreen',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'startingGreen', error: event.error }),
          },
        },
      },
    },

    verifyingGreen: {
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
          savepointPath: context.options.stateless
            ? undefined
            : (context.savepoint?.location ?? context.options.initialSavepoint),
          allowCheckpointRestore: context.savepoint?.kind === 'checkpoint',
          verify: context.options.verify,
          deadline: context.stepDeadline!,
          role: 'green' as const,
        }),
        onDone: [
          {
            guard: { type: 'passed', params: ({ event }) => ({ output: event.output }) },
            target: 'deciding',
            actions: {
              type: 'recordChecks',
              params: ({ event }) => ({ role: 'green', output: event.output }),
            },
          },
          {
            target: 'cancellingGreen',
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
          target: 'cancellingGreen',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'verifyingGreen', error: event.error }),
          },
        },
      },
    },

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

    stoppingBlue: {
      entry: [
        { type: 'enterStep', params: { step: 'stoppingBlue' } },
        'chooseFinalSavepointTrigger',
        { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.timeouts.savepointMs }) },
      ],
      exit: { type: 'leaveStep', params: { step: 'stoppingBlue' } },
      invoke: {
        id: 'stopBlue',
        src: 'stopBlue',
        input: ({ context }) => ({
          jobId: context.facts!.blue!.jobId,
          triggerId: context.finalSavepoint!.triggerId,
          triggeredAfter: context.finalSavepoint!.triggeredAt,
          targetDirectory: context.facts!.savepointDir,
          drain: context.options.drain,
          deadline: context.stepDeadline!,
        }),
        onDone: {
          target: 'recordingRelease',
          actions: { type: 'recordFinalSavepoint', params: ({ event }) => event.output },
        },
        onError: {
          target: 'needsAttention',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'stoppingBlue', error: event.error }),
          },
        },
      },
    },

    recordingRelease: {
      entry: { type: 'enterStep', params: { step: 'recordingRelease' } },
      exit: { type: 'leaveStep', params: { step: 'recordingRelease' } },
      invoke: {
        id: 'recordRelease',
        src: 'recordRelease',
        input: ({ context }) => ({ context }),
        onDone: 'upgraded',
        onError: {
          target: 'upgraded',
          actions: {
            type: 'warn',
            params: {
              message: 'the release record could not be written; a later rollback needs rollback settings',
            },
          },
        },
      },
    },

    cancellingGreen: {
      entry: [
        { type: 'enterStep', params: { step: 'cancellingGreen' } },
        { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.timeouts.cancelMs }) },
      ],
      exit: { type: 'leaveStep', params: { step: 'cancellingGreen' } },
      invoke: {
        id: 'cancelGreen',
        src: 'cancelJob',
        input: ({ context }) => ({ jobId: context.green.jobId, deadline: context.stepDeadline! }),
        onDone: 'abortedBlueUntouched',
        onError: 'needsAttention',
      },
    },

    dryRun: { type: 'final', entry: { type: 'setOutcome', params: { outcome: 'dry-run' } } },
    upgraded: { type: 'final', entry: { type: 'setOutcome', params: { outcome: 'upgraded' } } },
    abortedBlueUntouched: {
      type: 'final',
      entry: { type: 'setOutcome', params: { outcome: 'aborted-blue-untouched' } },
    },
    needsAttention: {
      type: 'final',
      entry: { type: 'setOutcome', params: { outcome: 'failed-needs-attention' } },
    },
  },
})
