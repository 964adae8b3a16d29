/**
 * Model-based check of both machines: xstate/graph enumerates the paths through each machine, where each
 * step is an actor succeeding or failing (a fault injected at that step). Every path is replayed on the real
 * machine with scripted actors; each must end in a documented final state, with an outcome, and a savepoint
 * location once recorded is never lost from the context.
 */

import { describe, expect, it } from 'vitest'
import { createActor, fromPromise, type Snapshot } from 'xstate'
import { getSimplePaths } from 'xstate/graph'
import { resolveUpgradeOptions } from '../upgrade/options.ts'
import { blueGreenMachine } from './blue-green.ts'
import { stopAndRestartMachine } from './stop-and-restart.ts'
import type { PreflightFacts, UpgradeContext } from './upgrade-context.ts'

const BLUE = 'b'.repeat(32)
const facts = (withBlue: boolean): PreflightFacts => ({
  flinkVersion: '2.3.0',
  blue: withBlue
    ? { jobId: BLUE, name: 'orders', settings: { jarPath: '/jars/v1.jar', programArgs: [] } }
    : undefined,
  greenJarId: 'x_orders.jar',
  greenJarSha256: 'a'.repeat(64),
  greenJarUploaded: true,
  droppedState: [],
  freeSlots: 4,
  steps: [],
})
const passed = (ok: boolean) => ({ passed: ok, results: [], allRunningAt: 1 })

/** Outputs each actor may complete with; an error event stands for any fault at that step. */
const outcomes: Record<string, unknown[]> = {
  preflight: [facts(true), facts(false)],
  stopBlue: [{ location: 'file:/sp/savepoint-bbbbbb-1', reconciled: false }],
  takeSavepoint: [{ location: 'file:/sp/savepoint-bbbbbb-1', reconciled: false }],
  watchBlue: [
    { condition: 'healthy', state: 'RUNNING', failures: 0, exceptions: [], watchedMs: 10 },
    { condition: 'restarted', state: 'RUNNING', failures: 1, exceptions: ['x: y'], watchedMs: 10 },
    { condition: 'ended', state: 'FAILED', failures: 3, exceptions: ['x: y'], watchedMs: 10 },
  ],
  useLatestCheckpoint: [{ location: 'file:/cp/chk-7' }],
  startGreen: [{ submitted: true }],
  restartBlue: [{ submitted: true }],
  verifyGreen: [passed(true), passed(false)],
  verifyBlue: [passed(true), passed(false)],
  cancelGreen: [{ finalStatus: 'CANCELED' }],
  recordRelease: [undefined],
  revalidate: [undefined],
}

const events = Object.entries(outcomes).flatMap(([id, outputs]) => [
  ...outputs.map((output) => ({ type: `xstate.done.actor.${id}`, output })),
  { type: `xstate.error.actor.${id}`, error: new Error(`fault injected in ${id}`) },
])

const FINAL = {
  'stop-and-restart': ['dryRun', 'upgraded', 'rolledBack', 'abortedBlueUntouched', 'needsAttention'],
  'blue-green': ['dryRun', 'upgraded', 'abortedBlueUntouched', 'needsAttention', 'awaitingPromotion'],
}

const variants = [
  { name: 'default', options: {} },
  { name: 'dry run', options: { dryRun: true } },
  { name: 'checkpoint fallback', options: { checkpointFallbackMaxAgeMs: 60_000 } },
  { name: 'manual promotion', options: { manualPromotion: true } },
]

type Step = { event: { type: string; output?: unknown; error?: unknown } }

/** Scripted actors: each invocation of actor X takes the next scripted result for X. */
function scriptedActors(steps: Step[]) {
  const queues = new Map<string, Step['event'][]>()
  for (const { event } of steps) {
    const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event.type)
    if (match) queues.set(match[2]!, [...(queues.get(match[2]!) ?? []), event])
  }
  const script = (id: string) =>
    fromPromise(async () => {
      const next = queues.get(id)?.shift()
      if (!next) throw new Error(`no scripted result left for ${id}`)
      if (next.type.startsWith('xstate.error')) throw next.error
      return next.output
    })
  return {
    preflight: script('preflight'),
    stopBlue: script('stopBlue'),
    takeSavepoint: script('takeSavepoint'),
    watchBlue: script('watchBlue'),
    useLatestCheckpoint: script('useLatestCheckpoint'),
    startJob: fromPromise(async ({ input }: { input: { jobId: string } }) => {
      const id = input.jobId === BLUE || input.jobId === 'r'.repeat(32) ? 'restartBlue' : 'startGreen'
      const next = queues.get(id)?.shift()
      if (!next) throw new Error(`no scripted result left for ${id}`)
      if (next.type.startsWith('xstate.error')) throw next.error
      return next.output
    }),
    verifyJob: fromPromise(async ({ input }: { input: { role: string } }) => {
      const next = queues.get(input.role === 'blue' ? 'verifyBlue' : 'verifyGreen')?.shift()
      if (!next) throw new Error('no scripted verification left')
      if (next.type.startsWith('xstate.error')) throw next.error
      return next.output
    }),
    cancelJob: script('cancelGreen'),
    recordRelease: script('recordRelease'),
    revalidate: script('revalidate'),
  }
}

for (const machine of [stopAndRestartMachine, blueGreenMachine]) {
  const finals = FINAL[machine.id as keyof typeof FINAL]
  const reached = new Set<string>()
  describe(`${machine.id} paths`, () => {
    for (const variant of variants) {
      const input = {
        runId: 'r1',
        options: resolveUpgradeOptions({
          jobName: 'orders',
          jar: '/jars/v2.jar',
          strategy: machine.id as never,
          ...variant.options,
        }),
        greenJobId: 'g'.repeat(32),
        rollbackJobId: 'r'.repeat(32),
      }
      const promotionEvents = machine.id === 'blue-green' ? [{ type: 'PROMOTE' }, { type: 'REJECT' }] : []
      const paths = getSimplePaths(machine, {
        input,
        events: [...events, ...promotionEvents] as never,
        serializeState: (s: Snapshot<unknown>) => {
          const { value, context } = s as unknown as { value: unknown; context: UpgradeContext }
          return JSON.stringify([
            value,
            context.facts?.blue !== undefined,
            context.savepoint?.location !== undefined,
          ])
        },
        toState: (s: Snapshot<unknown>) =>
          s.status === 'done' || (s as { value?: unknown }).value === 'awaitingPromotion',
      } as never)

      it(`${variant.name}: every generated path ends in a documented final state without losing the savepoint`, async () => {
        expect(paths.length).toBeGreaterThan(0)
        for (const path of paths) {
          const steps = path.steps as unknown as Step[]
          const expected = (path.state as unknown as { value: string }).value
          const actor = createActor(machine.provide({ actors: scriptedActors(steps) as never }), { input })
          const end = new Promise<{ value: unknown; status: string; context: UpgradeContext }>((resolve) => {
            actor.subscribe((s) => {
              if (s.status === 'done' || s.value === 'awaitingPromotion') resolve(s as never)
            })
          })
          actor.start()
          for (const step of steps)
            if (['PROMOTE', 'REJECT'].includes(step.event.type)) actor.send(step.event as never)
          const final = await end
          actor.stop()
          const trail = steps.map((s) => s.event.type.replace('xstate.', '')).join(' > ')
          expect(final.value, trail).toBe(expected)
          reached.add(String(final.value))
          expect(finals, trail).toContain(final.value)
          if (final.status === 'done') expect(final.context.outcome, trail).toBeDefined()
          const recorded = steps.some((s) =>
            /done\.actor\.(stopBlue|takeSavepoint|useLatestCheckpoint)$/.test(s.event.type),
          )
          if (recorded) expect(final.context.savepoint?.location, trail).toBeDefined()
        }
      })
    }

    it('the generated paths reach every documented final state', () => {
      expect([...reached].sort()).toEqual([...finals].sort())
    })
  })
}
