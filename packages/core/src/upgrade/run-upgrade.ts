/**
 * The public entry points: upgrade(), resume(), promote(), reject(). They validate the options, take the
 * lock, run the machine with every snapshot persisted before the next side effect, relay its events, and
 * turn its final context into a result that says what runs now and where the savepoint is.
 */
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { type AnyActorRef, createActor, type Snapshot } from 'xstate'
import type { FlinkClient } from '../client/flink-client.ts'
import { InvalidArgumentError, PreflightFailedError } from '../errors.ts'
import { blueGreenMachine } from '../machines/blue-green.ts'
import { MACHINE_VERSION } from '../machines/machine-version.ts'
import { stopAndRestartMachine } from '../machines/stop-and-restart.ts'
import { createUpgradeActors } from '../machines/upgrade-actors.ts'
import type { UpgradeContext } from '../machines/upgrade-context.ts'
import type { UpgradeEmitted, UpgradeEvent, UpgradeInput } from '../machines/upgrade-setup.ts'
import { createFileStateStore, createMemoryStateStore } from '../store/file-state-store.ts'
import { acquireLock, type UpgradeLock } from '../store/lock.ts'
import {
  createFileReleaseRecords,
  createMemoryReleaseRecords,
  type ReleaseRecordStore,
} from '../store/release-record.ts'
import type { StateStore } from '../store/state-store.ts'
import type { Check } from '../verify/check.ts'
import { resolveUpgradeOptions, type UpgradeOptions } from './options.ts'
import { buildResult, type UpgradeResult } from './result.ts'

export interface UpgradeRuntime {
  client: FlinkClient
  /** File the run is persisted to after every step; resume() continues from it. Also locks the job. */
  stateFile?: string
  /** Any other store (e.g. remote); `stateFile` is the usual choice. */
  store?: StateStore
  /** Release records (how each job was last deployed); default: `releases/` beside the state file. */
  releases?: ReleaseRecordStore
  /** Cancels the run at its next safe point. */
  signal?: AbortSignal
  onEvent?: (event: UpgradeEmitted) => void
  /** Your own verification of green (a query, a probe), run after the built-in checks; give them again on resume. */
  checks?: Check[]
}

const MACHINES = { 'stop-and-restart': stopAndRestartMachine, 'blue-green': blueGreenMachine } as const
type MachineName = keyof typeof MACHINES

/** States where stopping leaves a job running with its state: a cancellation waits for one of these. */
const SAFE_TO_STOP = new Set(['preflight', 'verifyingGreen', 'awaitingPromotion'])

const newJobId = () => randomBytes(16).toString('hex')

export async function upgrade(options: UpgradeOptions, runtime: UpgradeRuntime): Promise<UpgradeResult> {
  const resolved = resolveUpgradeOptions(options)
  const env = environment(runtime)
  const lock = resolved.dryRun ? undefined : await env.lock()
  try {
    const previous = await env.store.read()
    if (previous && !isFinished(previous.snapshot)) {
      throw new PreflightFailedError(
        'state-file',
        `A run (${previous.runId}) is still in progress in ${env.store.location}; resume() it, or remove the file if you know it is over`,
      )
    }
    const machine = MACHINES[resolved.strategy]
    const input = { runId: newJobId(), options: resolved, greenJobId: newJobId(), rollbackJobId: newJobId() }
    return await drive(machine, { input }, env, runtime)
  } finally {
    await lock?.release()
  }
}

/** Continues a run from its state file: the interrupted step runs again with the ids it had chosen. */
export async function resume(runtime: UpgradeRuntime, event?: UpgradeEvent): Promise<UpgradeResult> {
  const env = environment(runtime)
  const lock = await env.lock()
  try {
    const run = await env.store.read()
    if (!run) throw new InvalidArgumentError('stateFile', `no run to resume in ${env.store.location}`)
    if (run.machineVersion !== MACHINE_VERSION || !(run.machine in MACHINES)) {
      throw new InvalidArgumentError(
        'stateFile',
        `${env.store.location} holds a ${run.machine} run of machine version ${run.machineVersion}; this flink-deploy runs version ${MACHINE_VERSION}`,
      )
    }
    return await drive(MACHINES[run.machine as MachineName], { snapshot: run.snapshot, event }, env, runtime)
  } finally {
    await lock?.release()
  }
}

/** Blue-green with manual promotion: green was verified; stop blue and make green the release. */
export function promote(runtime: UpgradeRuntime): Promise<UpgradeResult> {
  return resume(runtime, { type: 'PROMOTE' })
}

/** Blue-green with manual promotion: cancel green; blue keeps running untouched. */
export function reject(runtime: UpgradeRuntime, reason?: string): Promise<UpgradeResult> {
  return resume(runtime, { type: 'REJECT', reason })
}

interface Environment {
  store: StateStore
  releases: ReleaseRecordStore
  lock(): Promise<UpgradeLock | undefined>
}

function environment(runtime: UpgradeRuntime): Environment {
  const store =
    runtime.store ?? (runtime.stateFile ? createFileStateStore(runtime.stateFile) : createMemoryStateStore())
  const releases =
    runtime.releases ??
    (runtime.stateFile
      ? createFileReleaseRecords(join(dirname(runtime.stateFile), 'releases'))
      : createMemoryReleaseRecords())
  const lockPath = runtime.stateFile ? `${runtime.stateFile}.lock` : undefined
  return { store, releases, lock: async () => (lockPath ? acquireLock(lockPath) : undefined) }
}

async function drive(
  machine: (typeof MACHINES)[MachineName],
  start: { input?: unknown; snapshot?: unknown; event?: UpgradeEvent },
  env: Environment,
  runtime: UpgradeRuntime,
): Promise<UpgradeResult> {
  const journal = new Journal(env.store, machine.id)
  const actors = createUpgradeActors({
    client: runtime.client,
    releases: env.releases,
    persisted: () => journal.flushed(),
    customChecks: runtime.checks,
  })
  // Both machines come from one setup, so they take the same actors, input and snapshots.
  const logic = (machine as typeof stopAndRestartMachine).provide({ actors })
  const actor = start.snapshot
    ? createActor(logic, {
        snapshot: start.snapshot as Snapshot<unknown>,
        input: undefined as unknown as UpgradeInput,
      })
    : createActor(logic, { input: start.input as UpgradeInput })
  actor.on('*', (event) => runtime.onEvent?.(event as UpgradeEmitted))
  const persisting = actor.subscribe({ next: () => journal.record(actor), error: () => undefined })
  actor.start()
  if (start.event) actor.send(start.event)
  const final = await untilStopped(actor, runtime.signal)
  persisting.unsubscribe()
  actor.stop()
  await journal.flushed()
  const context = final.context as UpgradeContext
  if (final.status === 'done') return buildResult(context, runtime.client)
  if (final.status === 'error') return buildResult(failed(context, final.error), runtime.client)
  if (final.value === 'awaitingPromotion')
    return buildResult({ ...context, outcome: 'awaiting-promotion' }, runtime.client)
  return buildResult(interrupted(context, stateName(final.value)), runtime.client)
}

interface EndSnapshot {
  status: string
  value: unknown
  context: unknown
  error?: unknown
}

/**
 * Resolves when the run reached a final state, waits for promotion, or was cancelled. Cancellation stops
 * the machine only where a job keeps running with its state; until then the run goes on.
 */
function untilStopped(actor: AnyActorRef, signal: AbortSignal | undefined): Promise<EndSnapshot> {
  return new Promise((resolve) => {
    let ended = false
    const check = () => {
      const s = actor.getSnapshot() as EndSnapshot
      const cancelled = signal?.aborted === true && SAFE_TO_STOP.has(stateName(s.value))
      if (ended || !(s.status !== 'active' || s.value === 'awaitingPromotion' || cancelled)) return
      ended = true
      signal?.removeEventListener('abort', check)
      resolve(s)
    }
    // No unsubscribe: the caller stops the actor as soon as this resolves, which ends the subscription.
    actor.subscribe({ next: check, error: check, complete: check })
    signal?.addEventListener('abort', check)
    check()
  })
}

function stateName(value: unknown): string {
  return typeof value === 'string' ? value : Object.keys(value as object)[0]!
}

function interrupted(context: UpgradeContext, step: string): UpgradeContext {
  const blueTouched = context.savepoint?.location !== undefined
  return {
    ...context,
    outcome: blueTouched ? 'failed-needs-attention' : 'aborted-blue-untouched',
    error: {
      step,
      code: 'CANCELLED',
      message: `cancelled during ${step}; resuming the run from its state file continues it`,
    },
  }
}

function failed(context: UpgradeContext, error: unknown): UpgradeContext {
  const message = error instanceof Error ? error.message : String(error)
  return {
    ...context,
    outcome: 'failed-needs-attention',
    error: context.error ?? { step: 'machine', code: 'UNEXPECTED', message },
  }
}

function isFinished(snapshot: unknown): boolean {
  return (snapshot as { status?: string }).status === 'done'
}

/** Persists snapshots in order; `flushed()` resolves when every snapshot so far is written. */
class Journal {
  #chain: Promise<void> = Promise.resolve()
  #failure: unknown
  readonly #store: StateStore
  readonly #machine: string

  constructor(store: StateStore, machine: string) {
    this.#store = store
    this.#machine = machine
  }

  record(actor: AnyActorRef): void {
    const snapshot = actor.getPersistedSnapshot()
    const runId = (snapshot as { context?: { runId?: string } }).context?.runId ?? 'unknown'
    this.#chain = this.#chain.then(() =>
      this.#store
        .write({
          formatVersion: 1,
          machine: this.#machine,
          machineVersion: MACHINE_VERSION,
          runId,
          snapshot,
          updatedAt: new Date().toISOString(),
        })
        .catch((error: unknown) => {
          this.#failure ??= error
        }),
    )
  }

  /** Rejects when a write failed: no further side effect may run without its state on disk. */
  async flushed(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    await this.#chain
    if (this.#failure) throw this.#failure
  }
}
