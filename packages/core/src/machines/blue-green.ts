/**
 * The blue-green upgrade: green starts from a savepoint of blue while blue keeps running, and blue stops
 * only once green is verified (and, with manual promotion, promoted):
 *
 *   preflight → savepoint blue → start green beside it → verify green → [await promotion] → stop blue.
 *
 * Until blue stops, any failure only cancels green: blue was never touched. Both jobs run at once between
 * green's start and blue's stop; the result reports that duplicate window, which matters for sinks that are
 * not idempotent.
 *
 * With handover gate both jobs carry the gate library, and the output changes hands exactly once at an event
 * time T instead (packages/flink-gate/README.md, steps 0–4). Green runs as the other colour of blue's. The object
 * first names blue's colour as handing over, without T, in a version of this run's own; both gates must report
 * that version before T is chosen, so a gate that cannot reach the object stops the run while nothing is lost:
 *
 *   name blue as handing over → blue's gate read it → savepoint blue → start green → verify green (gate in
 *   standby) → green's gate read it → choose T → publish T → blue takes T (else a later T) → let green pass →
 *   blue's watermark past T → stop blue.
 *
 * Until T is published a failure only cancels green. After it, blue may have dropped records at or past T:
 * the way out is forward, and a failure is reported for a person (needs attention), never undone blindly.
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
import type { HandoverPhase, UpgradeContext } from './upgrade-context.ts'
import { type HandoverWaitInput, initialContext, upgradeSetup } from './upgrade-setup.ts'

/** A hand-over wait gets a few margins: the gates poll every 500 ms, the metrics lag, watermarks move with records. */
const handoverStepMs = (marginMs: number) => Math.max(60_000, 6 * marginMs)

const handoverWaitInput = (context: UpgradeContext): HandoverWaitInput => ({
  blueJobId: context.facts!.blue!.jobId,
  greenJobId: context.green.jobId,
  cutoverMillis: context.handover!.cutoverMillis!,
  deadline: context.stepDeadline!,
})

/** Writes the hand-over object (T, and whether green passes); after T, a failure is for a person to judge. */
function handoverWrite(params: { step: string; greenPasses: boolean; done: string; phase: HandoverPhase }) {
  return upgradeSetup.createStateConfig({
    entry: [
      { type: 'enterStep', params: { step: params.step } },
      ...(params.greenPasses
        ? [{ type: 'handoverPhase' as const, params: { phase: 'cutover-taken' as const, nextVersion: true } }]
        : []),
    ],
    exit: { type: 'leaveStep', params: { step: params.step } },
    invoke: {
      id: 'writeHandover',
      src: 'writeHandover',
      input: ({ context }) => ({
        path: context.handover!.path,
        object: {
          version: context.handover!.version,
          ...(context.handover!.from ? { from: context.handover!.from } : {}),
          cutoverMillis: context.handover!.cutoverMillis!,
          ...(params.greenPasses ? { greenPasses: true } : {}),
        },
      }),
      onDone: {
        target: params.done,
        actions: { type: 'handoverPhase', params: { phase: params.phase } },
      },
      onError: {
        target: 'needsAttention',
        actions: {
          type: 'recordError',
          params: ({ event }) => ({ step: params.step, error: event.error }),
        },
      },
    },
  })
}

/** Protocol step 0's proof for one job's gate: it adopted the object version this run wrote. */
function objectReadState(role: 'blue' | 'green', targets: { done: string; error: string }) {
  const step = role === 'blue' ? 'confirmingBlueReads' : 'confirmingGreenReads'
  return upgradeSetup.createStateConfig({
    entry: [
      { type: 'enterStep', params: { step } },
      {
        type: 'setDeadline',
        params: ({ context }) => ({ ms: handoverStepMs(context.options.handoverMarginMs) }),
      },
    ],
    exit: { type: 'leaveStep', params: { step } },
    invoke: {
      id: 'awaitObjectRead',
      src: 'awaitObjectRead',
      input: ({ context }) => ({
        jobId: role === 'blue' ? context.facts!.blue!.jobId : context.green.jobId,
        role,
        path: context.handover!.path,
        version: context.handover!.version,
        deadline: context.stepDeadline!,
      }),
      onDone: targets.done,
      onError: {
        target: targets.error,
        actions: { type: 'recordError', params: ({ event }) => ({ step, error: event.error }) },
      },
    },
  })
}

export const blueGreenMachine = upgradeSetup.createMachine({
  id: 'blue-green',
  version: String(MACHINE_VERSION),
  context: ({ input }) => initialContext(input),
  initial: 'preflight',
  states: {
    preflight: preflightState({ fromBlue: 'blueFound', statelessTarget: 'startingGreen' }),

    blueFound: {
      always: [{ guard: 'handsOver', target: 'openingHandover' }, { target: 'savepointingBlue' }],
    },

    /**
     * Protocol step 0: the object names blue's colour as handing over, without T, in this run's own version.
     * Blue's gate goes on passing everything (after an earlier hand-over it passed everything past that T);
     * green's will start in standby.
     */
    openingHandover: {
      entry: { type: 'enterStep', params: { step: 'openingHandover' } },
      exit: { type: 'leaveStep', params: { step: 'openingHandover' } },
      invoke: {
        id: 'writeHandover',
        src: 'writeHandover',
        input: ({ context }) => ({
          path: context.handover!.path,
          object: { version: context.handover!.version, from: context.handover!.from! },
        }),
        onDone: 'confirmingBlueReads',
        onError: {
          target: 'abortedBlueUntouched',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'openingHandover', error: event.error }),
          },
        },
      },
    },

    /** Before blue is touched: every subtask of blue's gate reads the object where this run writes it. */
    confirmingBlueReads: objectReadState('blue', { done: 'savepointingBlue', error: 'abortedBlueUntouched' }),

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
        { guard: 'handsOver', target: 'confirmingGreenReads' },
        { target: 'stoppingBlue' },
      ],
    },

    /** Step 1: T later than anything blue let through or green dropped, from both gates' metrics. */
    /** Before T: every subtask of green's gate reads the object too, or green is cancelled with nothing published. */
    confirmingGreenReads: objectReadState('green', { done: 'choosingCutover', error: 'cancellingGreen' }),

    choosingCutover: {
      entry: { type: 'enterStep', params: { step: 'choosingCutover' } },
      exit: { type: 'leaveStep', params: { step: 'choosingCutover' } },
      invoke: {
        id: 'readGates',
        src: 'readGates',
        input: ({ context }) => ({ blueJobId: context.facts!.blue!.jobId, greenJobId: context.green.jobId }),
        onDone: [
          {
            guard: { type: 'blueTookPublishedCutover', params: ({ event }) => ({ gates: event.output }) },
            target: 'awaitingCutoverTaken',
          },
          {
            guard: { type: 'greenNotInStandby', params: ({ event }) => ({ gates: event.output }) },
            target: 'cancellingGreen',
            actions: {
              type: 'recordError',
              params: ({ event }) => ({
                step: 'choosingCutover',
                error: new Error(
                  `green's gate is not in standby (${event.output.green.map((g) => g.state).join(', ')}): it would write before T`,
                ),
              }),
            },
          },
          {
            target: 'publishingCutover',
            actions: { type: 'chooseCutover', params: ({ event }) => event.output },
          },
        ],
        onError: [
          // Nothing published yet: green goes, blue was never touched.
          {
            guard: 'nothingPublished',
            target: 'cancellingGreen',
            actions: {
              type: 'recordError',
              params: ({ event }) => ({ step: 'choosingCutover', error: event.error }),
            },
          },
          {
            target: 'needsAttention',
            actions: {
              type: 'recordError',
              params: ({ event }) => ({ step: 'choosingCutover', error: event.error }),
            },
          },
        ],
      },
    },

    /** T is persisted before it is written: a resumed run publishes the same T. */
    publishingCutover: handoverWrite({
      step: 'publishingCutover',
      greenPasses: false,
      done: 'awaitingCutoverTaken',
      phase: 'cutover-published',
    }),

    /** Step 2: every blue gate subtask decides with T; a T that came too late is replaced while none took it. */
    awaitingCutoverTaken: {
      entry: [
        { type: 'enterStep', params: { step: 'awaitingCutoverTaken' } },
        {
          type: 'setDeadline',
          params: ({ context }) => ({ ms: handoverStepMs(context.options.handoverMarginMs) }),
        },
      ],
      exit: { type: 'leaveStep', params: { step: 'awaitingCutoverTaken' } },
      invoke: {
        id: 'awaitCutoverTaken',
        src: 'awaitCutoverTaken',
        input: ({ context }) => handoverWaitInput(context),
        onDone: [
          {
            guard: { type: 'cutoverCameLate', params: ({ event }) => ({ taken: event.output }) },
            target: 'choosingCutover',
            actions: {
              type: 'warn',
              params: ({ context }) => ({
                message: `a gate decided a record at or past T = ${context.handover!.cutoverMillis} before it knew T, while no blue subtask had taken it: a later T is chosen`,
              }),
            },
          },
          {
            guard: { type: 'someBlueTookCutoverLate', params: ({ event }) => ({ taken: event.output }) },
            target: 'lettingGreenPass',
            actions: [
              {
                type: 'warn',
                params: ({ context, event }) => ({
                  message: `blue gate subtask${event.output.outcome === 'seen' && event.output.late.length > 1 ? 's' : ''} ${event.output.outcome === 'seen' ? event.output.late.join(', ') : ''} let records at or past T = ${context.handover!.cutoverMillis} through before taking T, and another blue subtask had taken it already: T stays, and green may write those records again (raise handoverMargin)`,
                }),
              },
            ],
          },
          { target: 'lettingGreenPass' },
        ],
        onError: {
          target: 'needsAttention',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'awaitingCutoverTaken', error: event.error }),
          },
        },
      },
    },

    /** Step 3: green writes records from T on (its gates held them until now). */
    lettingGreenPass: handoverWrite({
      step: 'lettingGreenPass',
      greenPasses: true,
      done: 'awaitingBluePastCutover',
      phase: 'green-passing',
    }),

    /** Step 4's condition: blue has written everything before T once its watermark reached T everywhere. */
    awaitingBluePastCutover: {
      entry: [
        { type: 'enterStep', params: { step: 'awaitingBluePastCutover' } },
        {
          type: 'setDeadline',
          params: ({ context }) => ({ ms: handoverStepMs(context.options.handoverMarginMs) }),
        },
      ],
      exit: { type: 'leaveStep', params: { step: 'awaitingBluePastCutover' } },
      invoke: {
        id: 'awaitBluePastCutover',
        src: 'awaitBluePastCutover',
        input: ({ context }) => handoverWaitInput(context),
        onDone: {
          target: 'stoppingBlue',
          actions: { type: 'handoverPhase', params: { phase: 'blue-past-cutover' } },
        },
        onError: {
          target: 'needsAttention',
          actions: {
            type: 'recordError',
            params: ({ event }) => ({ step: 'awaitingBluePastCutover', error: event.error }),
          },
        },
      },
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
        onDone: [{ guard: 'handsOver', target: 'confirmingGreenReads' }, { target: 'stoppingBlue' }],
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
