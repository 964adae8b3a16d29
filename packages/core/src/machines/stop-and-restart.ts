/**
 * The stop-and-restart upgrade, as an operator would run it by hand:
 *
 *   preflight → stop blue with a savepoint → start green from it → verify green → record the release.
 *
 * If the savepoint fails, blue keeps running and nothing else happens (unless a checkpoint fallback was
 * allowed for an unhealthy blue). If green does not start or fails verification, green is cancelled and blue
 * runs again from the same savepoint. Every failure ends in a named final state that says what runs now.
 */
import { MACHINE_VERSION } from './machine-version.ts'
import { initialContext, upgradeSetup } from './upgrade-setup.ts'

export const stopAndRestartMachine = upgradeSetup.createMachine({
  id: 'stop-and-restart',
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
          { target: 'stoppingBlue', actions: { type: 'recordFacts', params: ({ event }) => event.output } },
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

    stoppingBlue: {
      entry: [
        { type: 'enterStep', params: { step: 'stoppingBlue' } },
        'chooseSavepointTrigger',
        { type: 'setDeadline', params: ({ context }) => ({ ms: context.options.timeouts.savepointMs }) },
      ],
      exit: { type: 'leaveStep', params: { step: 'stoppingBlue' } },
      invoke: {
        id: 'stopBlue',
        src: 'stopBlue',
        input: ({ context }) => ({
          jobId: context.facts!.blue!.jobId,
          triggerId: context.savepoint!.triggerId,
          triggeredAfter: context.savepoint!.triggeredAt,
          targetDirectory: context.facts!.savepointDir,
          drain: context.options.drain,
          deadline: context.stepDeadline!,
        }),
        onDone: {
          target: 'startingGreen',
          actions: { type: 'recordSavepoint', params: ({ event }) => event.output },
        },
        onError: {
          target: 'inspectingBlue',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'stoppingBlue', error: event.error }),
          },
        },
      },
    },

    /** The savepoint failed: Flink keeps blue running when it can. Find out whether it did. */
    inspectingBlue: {
      entry: { type: 'enterStep', params: { step: 'inspectingBlue' } },
      exit: { type: 'leaveStep', params: { step: 'inspectingBlue' } },
      invoke: {
        id: 'inspectJob',
        src: 'inspectJob',
        input: ({ context }) => ({ jobId: context.facts!.blue!.jobId }),
        onDone: [
          {
            guard: { type: 'isHealthy', params: ({ event }) => event.output },
            target: 'abortedBlueUntouched',
          },
          { guard: 'canFallBackToCheckpoint', target: 'fallingBackToCheckpoint' },
          { target: 'needsAttention' },
        ],
        onError: 'needsAttention',
      },
    },

    /** Blue is unhealthy and the user allowed it: use its latest retained checkpoint instead. */
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
        onError: 'needsAttention',
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
          target: 'rollingBack',
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
            target: 'recordingRelease',
            actions: {
              type: 'recordChecks',
              params: ({ event }) => ({ role: 'green', output: event.output }),
            },
          },
          {
            target: 'rollingBack',
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
          target: 'rollingBack',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'verifyingGreen', error: event.error }),
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
              message: 'the release record could not be written; a later rollback needs --rollback-jar',
            },
          },
        },
      },
    },

    rollingBack: {
      entry: [{ type: 'enterStep', params: { step: 'rollingBack' } }, 'announceRollback'],
      exit: { type: 'leaveStep', params: { step: 'rollingBack' } },
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
            input: ({ context }) => ({ jobId: context.green.jobId, deadline: context.stepDeadline! }),
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

    dryRun: { type: 'final', entry: { type: 'setOutcome', params: { outcome: 'dry-run' } } },
    upgraded: { type: 'final', entry: { type: 'setOutcome', params: { outcome: 'upgraded' } } },
    rolledBack: { type: 'final', entry: { type: 'setOutcome', params: { outcome: 'rolled-back' } } },
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
