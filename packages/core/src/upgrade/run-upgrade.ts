/**
 * The public entry points: upgrade(), resume(), promote(), reject(). They validate the options, take the
 * lock, run the machine with every snapshot persisted before the next side effect, relay its events, and
 * turn its final context into a result that says what runs now and where the savepoint is.
 */
import { randomBytes } from 'node:crypto'
import { type AnyActorRef, createActor, type Snapshot } from 'xstate'
import type { FlinkClient } from '../client/flink-client.ts'
import { type Clusters, type ClusterUrls, sameEndpoint } from '../cross-cluster/clusters.ts'
import { InvalidArgumentError, PreflightFailedError } from '../errors.ts'
import { blueGreenMachine } from '../machines/blue-green.ts'
import { MACHINE_VERSION } from '../machines/machine-version.ts'
import { savepointsTaken, withTaken } from '../machines/savepoints-taken.ts'
import { stopAndRestartMachine } from '../machines/stop-and-restart.ts'
import { createUpgradeActors } from '../machines/upgrade-actors.ts'
import { greenStartEnded, type UpgradeContext } from '../machines/upgrade-context.ts'
import {
  GATE_COLOUR_KEY,
  GATE_PATH_KEY,
  type UpgradeEmitted,
  type UpgradeEvent,
  type UpgradeInput,
} from '../machines/upgrade-setup.ts'
import type { Notifier } from '../notify/notifier.ts'
import { pruneSavepoints } from '../retention/prune.ts'
import { type HandoverObjectStore, localHandoverObject } from '../store/handover-object.ts'
import type { ReleaseRecordStore } from '../store/release-record.ts'
import type { RunLock } from '../store/run-lock.ts'
import { fileRunStorage, memoryRunStorage, type RunStorage } from '../store/run-storage.ts'
import type { PersistedRun, StateStore } from '../store/state-store.ts'
import type { Check } from '../verify/check.ts'
import {
  type NotifyOptions,
  type ResolvedNotifyOptions,
  resolveNotifyOptions,
  resolveUpgradeOptions,
  type UpgradeOptions,
} from './options.ts'
import { buildResult, type UpgradeResult } from './result.ts'
import { isFinished } from './run-summary.ts'

export interface UpgradeRuntime {
  /** Blue's cluster (and green's, unless `target` is given). */
  client: FlinkClient
  /**
   * Moves the job: green is uploaded to and started on this cluster from blue's savepoint, and a rollback
   * runs blue again on its own cluster. Give it again to resume, promote or reject such a run.
   */
  target?: FlinkClient
  /** File the run is persisted to after every step; resume() continues from it. Also locks the job. */
  stateFile?: string
  /**
   * Where the run state, the lock and the release records live when not in local files, e.g.
   * `await openStateStore('s3://deploy-state/flink', { job: 'orders' })`, shared by every machine using it.
   */
  storage?: RunStorage
  /** Replaces the storage's run state (e.g. a store of your own). */
  store?: StateStore
  /** Release records (how each job was last deployed); default: `releases/` beside the state file. */
  releases?: ReleaseRecordStore
  /** Who takes the lock, shown to a run it refuses (default `user@host`). */
  owner?: string
  /**
   * Epoch ms the command began (a CLI's `performance.timeOrigin`): the result's `totalMs` counts from it, so
   * it is the time a user waited. Default: when this run began (for resume(), the run's first start).
   */
  startedAt?: number
  /** Cancels the run at its next safe point. */
  signal?: AbortSignal
  onEvent?: (event: UpgradeEmitted) => void
  /** How often the progress of savepoints and restores is polled for onEvent (default 1 s). */
  progressIntervalMs?: number
  /**
   * resume(), promote(), reject(): the webhooks to tell when the run ends, given again like `checks` (a
   * run's persisted state never holds them). upgrade() takes them in its options' `notify`.
   */
  notify?: NotifyOptions
  /** Your own verification of green (a query, a probe), run after the built-in checks; give them again on resume. */
  checks?: Check[]
}

const MACHINES = { 'stop-and-restart': stopAndRestartMachine, 'blue-green': blueGreenMachine } as const
type MachineName = keyof typeof MACHINES

/** States where stopping leaves a job running with its state: a cancellation waits for one of these. */
const SAFE_TO_STOP = new Set(['preflight', 'verifyingGreen', 'awaitingPromotion'])

const newJobId = () => randomBytes(16).toString('hex')

export async function upgrade(options: UpgradeOptions, runtime: UpgradeRuntime): Promise<UpgradeResult> {
  // The webhooks (and their secret) stay out of the run's context: it is persisted after every step.
  const { notify, ...resolved } = resolveUpgradeOptions(options)
  const clusters = clustersOf(runtime)
  const env = environment(runtime)
  const lock = resolved.dryRun ? undefined : await env.lock()
  try {
    const previous = await env.store.read()
    if (previous && !isFinished(previous)) {
      throw new PreflightFailedError(
        'state-file',
        `A run (${previous.runId}) is still in progress in ${env.store.location}; resume it, or remove ${env.store.location.replace(/^file /, '')} if you know it is over`,
      )
    }
    const machine = MACHINES[resolved.strategy]
    // Green's gate reads the object where this run writes it; a first release's gate turns blue after preflight.
    const handoverPath =
      resolved.handover === 'gate' ? env.handoverObject(resolved.handoverPath).url : undefined
    const input = {
      runId: newJobId(),
      options: handoverPath
        ? {
            ...resolved,
            flinkConfiguration: {
              ...resolved.flinkConfiguration,
              [GATE_PATH_KEY]: handoverPath,
              [GATE_COLOUR_KEY]: 'green',
            },
          }
        : resolved,
      handoverPath,
      greenJobId: newJobId(),
      rollbackJobId: newJobId(),
      clusters: runtime.target ? { blue: clusters.blue.url, green: clusters.green.url } : undefined,
    }
    // A dry run changes nothing, and says so to nobody (`plan` runs one per job).
    return await drive(
      machine,
      { input },
      { env, runtime, clusters, lock },
      resolved.dryRun ? undefined : notify,
    )
  } finally {
    await lock?.release()
  }
}

/** Continues a run from its state file: the interrupted step runs again with the ids it had chosen. */
export async function resume(runtime: UpgradeRuntime, event?: UpgradeEvent): Promise<UpgradeResult> {
  const clusters = clustersOf(runtime)
  const notify = runtime.notify ? resolveNotifyOptions(runtime.notify) : undefined
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
    requireSameClusters(run.snapshot, runtime)
    return await drive(
      MACHINES[run.machine as MachineName],
      { snapshot: run.snapshot, event },
      { env, runtime, clusters, lock },
      notify,
    )
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
  handoverObject(path?: string): HandoverObjectStore
  lock(): Promise<RunLock | undefined>
}

/** Refuses a target that is blue's own cluster before anything is sent: a move needs two clusters. */
function clustersOf(runtime: UpgradeRuntime): Clusters {
  const { client, target } = runtime
  if (target && sameEndpoint(target.url, client.url)) {
    throw new InvalidArgumentError(
      'target',
      `the target cluster ${target.url} is the cluster blue runs on; leave the target out to upgrade in place`,
    )
  }
  return { blue: client, green: target ?? client }
}

/** A resumed run talks to the clusters it started with: a move needs its target again, an in-place run none. */
function requireSameClusters(snapshot: unknown, runtime: UpgradeRuntime): void {
  const recorded = (snapshot as { context?: { clusters?: ClusterUrls } }).context?.clusters
  const given = runtime.target?.url
  if (recorded && (!given || !sameEndpoint(given, recorded.green))) {
    throw new InvalidArgumentError(
      'target',
      `this run moves the job from ${recorded.blue} to ${recorded.green}; give that target cluster${given ? `, not ${given}` : ''}`,
    )
  }
  if (recorded && !sameEndpoint(runtime.client.url, recorded.blue)) {
    throw new InvalidArgumentError(
      'baseUrl',
      `this run moves the job from ${recorded.blue}; give that cluster, not ${runtime.client.url}`,
    )
  }
  if (!recorded && given) {
    throw new InvalidArgumentError(
      'target',
      `this run upgrades the job in place on ${runtime.client.url}; leave the target cluster (${given}) out`,
    )
  }
}

function environment(runtime: UpgradeRuntime): Environment {
  if (runtime.storage && runtime.stateFile)
    throw new InvalidArgumentError('storage', 'give storage or stateFile, not both')
  const storage: RunStorage =
    runtime.storage ?? (runtime.stateFile ? fileRunStorage(runtime.stateFile) : memoryRunStorage())
  const locks = runtime.storage !== undefined || runtime.stateFile !== undefined
  return {
    store: runtime.store ?? storage.state,
    releases: runtime.releases ?? storage.releases,
    handoverObject: (path) => {
      if (storage.handover) return storage.handover(path)
      if (path) return localHandoverObject(path)
      throw new InvalidArgumentError(
        'handoverPath',
        `${storage.location} has no place for the hand-over object: give handoverPath`,
      )
    },
    lock: async () => (locks ? storage.lock(runtime.owner ? { owner: runtime.owner } : {}) : undefined),
  }
}

/** What a run works with besides its machine: its storage, the caller's runtime, the clusters and its lock. */
interface RunSurroundings {
  env: Environment
  runtime: UpgradeRuntime
  clusters: Clusters
  lock: RunLock | undefined
}

async function drive(
  machine: (typeof MACHINES)[MachineName],
  start: { input?: unknown; snapshot?: unknown; event?: UpgradeEvent },
  around: RunSurroundings,
  notify: ResolvedNotifyOptions | undefined,
): Promise<UpgradeResult> {
  const notifier = notify?.urls.length ? await openNotifier(notify, start, around.runtime) : undefined
  const result = await runMachine(machine, start, around, notifier)
  if (!notifier) return result
  const warnings = await notifier.ended(result)
  return warnings.length > 0 ? { ...result, warnings: [...result.warnings, ...warnings] } : result
}

/**
 * The notifier, loaded only when webhooks are configured. It observes the run; a webhook that fails is a
 * warning event, never a change of the run's course or outcome.
 */
async function openNotifier(
  notify: ResolvedNotifyOptions,
  start: { input?: unknown; snapshot?: unknown },
  runtime: UpgradeRuntime,
): Promise<Notifier> {
  const { createNotifier } = await import('../notify/notifier.ts')
  const { runId, options } = (start.input ?? (start.snapshot as { context: unknown }).context) as Pick<
    UpgradeContext,
    'runId' | 'options'
  >
  const run = { runId, job: options.jobName ?? options.jobId ?? 'unknown', strategy: options.strategy }
  return createNotifier(notify, run, {
    warn: (message) => {
      try {
        runtime.onEvent?.({ type: 'warning', message, at: Date.now() })
      } catch {
        // the caller's handler failing is no reason to lose the notifier's other work
      }
    },
  })
}

async function runMachine(
  machine: (typeof MACHINES)[MachineName],
  start: { input?: unknown; snapshot?: unknown; event?: UpgradeEvent },
  { env, runtime, clusters, lock }: RunSurroundings,
  notifier: Notifier | undefined,
): Promise<UpgradeResult> {
  const journal = new Journal(env.store, machine.id)
  // A lost lock stops the run like a store that cannot be written: no step starts after it.
  lock?.lost.addEventListener('abort', () => journal.fail(lock.lost.reason), { once: true })
  let inFlight = 0
  const actors = createUpgradeActors({
    clusters,
    releases: env.releases,
    handoverObject: env.handoverObject,
    persisted: () => journal.gate(),
    startEffect: () => {
      inFlight++
      return () => inFlight--
    },
    customChecks: runtime.checks,
    onProgress: runtime.onEvent,
    progressIntervalMs: runtime.progressIntervalMs,
  })
  // Both machines come from one setup, so they take the same actors, input and snapshots.
  const logic = (machine as typeof stopAndRestartMachine).provide({ actors })
  const actor = start.snapshot
    ? createActor(logic, {
        snapshot: start.snapshot as Snapshot<unknown>,
        input: undefined as unknown as UpgradeInput,
      })
    : createActor(logic, { input: start.input as UpgradeInput })
  actor.on('*', (event) => {
    notifier?.onEvent(event as UpgradeEmitted)
    runtime.onEvent?.(event as UpgradeEmitted)
  })
  const persisting = actor.subscribe({ next: () => journal.record(actor), error: () => undefined })
  actor.start()
  if (start.event) actor.send(start.event)
  const final = await untilStopped(
    actor,
    (s) => {
      const safe = SAFE_TO_STOP.has(stateName(s.value))
      // The step under way (a savepoint, a start) finishes and is recorded in the result; none starts after it.
      if (journal.failed.aborted) return safe || inFlight === 0
      return runtime.signal?.aborted === true && safe
    },
    [journal.failed, runtime.signal],
  )
  persisting.unsubscribe()
  actor.stop()
  await journal.flushed().catch(() => undefined)
  const context = final.context as UpgradeContext
  const result = (c: UpgradeContext) => buildResult(c, clusters, runtime.startedAt)
  if (journal.failure) return result(storageFailed(context, stateName(final.value), journal.failure))
  if (final.status === 'done') {
    const warning =
      context.outcome === 'rolled-back'
        ? await recordRestartedBlue(env.releases, context, clusters.blue.url)
        : undefined
    const pruned = await pruneAfterUpgrade(env, clusters.green, context, runtime)
    const warnings = [...context.warnings, ...(warning ? [warning] : []), ...(pruned?.warnings ?? [])]
    const built = await result({ ...context, warnings })
    return pruned ? { ...built, prunedSavepoints: pruned.disposed } : built
  }
  if (final.status === 'error') return result(failed(context, final.error))
  if (final.value === 'awaitingPromotion') return result({ ...context, outcome: 'awaiting-promotion' })
  return result(interrupted(context, stateName(final.value)))
}

/**
 * `keepSavepoints`: once an upgrade succeeded (and only then), its job's savepoints are pruned under the
 * run's lock. Pruning is housekeeping: whatever fails comes back as warnings, the outcome stays.
 */
async function pruneAfterUpgrade(
  env: Environment,
  client: FlinkClient,
  context: UpgradeContext,
  runtime: UpgradeRuntime,
): Promise<{ disposed: string[]; warnings: string[] } | undefined> {
  const keep = context.options.keepSavepoints
  const jobName = context.facts?.blue?.name ?? context.options.jobName
  if (context.outcome !== 'upgraded' || keep === undefined || !jobName) return undefined
  const warn = (message: string) => {
    runtime.onEvent?.({ type: 'warning', message, at: Date.now() })
    return message
  }
  try {
    const pruned = await pruneSavepoints(
      client,
      { state: env.store, releases: env.releases },
      { jobName, keep, signal: runtime.signal },
    )
    return {
      disposed: pruned.disposed.map((s) => s.path),
      warnings: pruned.failed.map((f) =>
        warn(`savepoint ${f.savepoint.path} could not be pruned (${f.error}); it stays`),
      ),
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { disposed: [], warnings: [warn(`savepoints of ${jobName} were not pruned: ${message}`)] }
  }
}

/**
 * Blue runs again under the rollback's job id: its release record moves to that job, so the next upgrade
 * can roll back to it too. A failure here only costs that; it comes back as a warning.
 */
async function recordRestartedBlue(
  releases: ReleaseRecordStore,
  context: UpgradeContext,
  blueUrl: string,
): Promise<string | undefined> {
  const name = context.facts?.blue?.name
  const restarted = context.rollbackJobId
  try {
    const record = name ? await releases.read(name) : undefined
    if (record && record.jobId === context.facts?.blue?.jobId)
      await releases.write({
        ...record,
        jobId: restarted,
        flinkUrl: blueUrl,
        savepointPath: context.savepoint?.location,
        deployedAt: new Date().toISOString(),
        runId: context.runId,
        savepoints: withTaken(record.savepoints, savepointsTaken(context)),
      })
    return undefined
  } catch (error) {
    return `the release record of ${name} could not be moved to the restarted job ${restarted} (${error instanceof Error ? error.message : String(error)}); the next upgrade needs rollback settings to roll back`
  }
}

interface EndSnapshot {
  status: string
  value: unknown
  context: unknown
  error?: unknown
}

/**
 * Resolves when the run reached a final state, waits for promotion, or `stopHere` says so (checked at every
 * transition and when one of `signals` fires). A cancelled run stops only where a job keeps running with
 * its state; until then the run goes on.
 */
function untilStopped(
  actor: AnyActorRef,
  stopHere: (snapshot: EndSnapshot) => boolean,
  signals: (AbortSignal | undefined)[],
): Promise<EndSnapshot> {
  return new Promise((resolve) => {
    let ended = false
    const check = () => {
      const s = actor.getSnapshot() as EndSnapshot
      if (ended || !(s.status !== 'active' || s.value === 'awaitingPromotion' || stopHere(s))) return
      ended = true
      for (const signal of signals) signal?.removeEventListener('abort', check)
      resolve(s)
    }
    // No unsubscribe: the caller stops the actor as soon as this resolves, which ends the subscription.
    actor.subscribe({ next: check, error: check, complete: check })
    for (const signal of signals) signal?.addEventListener('abort', check)
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

/**
 * The run state could not be persisted (or the lock was lost), so no step started after that: what the
 * steps already did is all that changed on Flink.
 */
function storageFailed(context: UpgradeContext, step: string, error: unknown): UpgradeContext {
  const touched = context.savepoint?.location !== undefined || greenStartEnded(context.steps)
  const code = (error as { code?: string }).code ?? 'STATE_STORE_UNAVAILABLE'
  const message = error instanceof Error ? error.message : String(error)
  return {
    ...context,
    outcome: touched ? 'failed-needs-attention' : 'aborted-blue-untouched',
    error: {
      step,
      code,
      message: `${message}. The run stopped before its next step; resume it once the store is usable again`,
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

/**
 * Persists snapshots in order, only the newest one when several wait (a write in flight is never
 * queued behind stale ones, so the path from blue stopped to green started costs one write).
 * `flushed()` resolves when every snapshot so far is written.
 */
class Journal {
  #pending: PersistedRun | undefined
  #writing: Promise<void> | undefined
  #failure: unknown
  readonly #failed = new AbortController()
  readonly #store: StateStore
  readonly #machine: string

  constructor(store: StateStore, machine: string) {
    this.#store = store
    this.#machine = machine
  }

  /** Aborted when a write failed or fail() was called: the run must stop at its next safe point. */
  get failed(): AbortSignal {
    return this.#failed.signal
  }

  get failure(): unknown {
    return this.#failure
  }

  fail(error: unknown): void {
    this.#failure ??= error
    this.#failed.abort(error)
  }

  record(actor: AnyActorRef): void {
    const snapshot = actor.getPersistedSnapshot()
    const runId = (snapshot as { context?: { runId?: string } }).context?.runId ?? 'unknown'
    this.#pending = {
      formatVersion: 1,
      machine: this.#machine,
      machineVersion: MACHINE_VERSION,
      runId,
      snapshot,
      updatedAt: new Date().toISOString(),
    }
    // Cleared only once the drain settled (never synchronously inside it), so a waiter cannot spin on it.
    this.#writing ??= this.#drain().finally(() => {
      this.#writing = undefined
    })
  }

  async #drain(): Promise<void> {
    while (this.#pending && this.#failure === undefined) {
      const run = this.#pending
      this.#pending = undefined
      await this.#store.write(run).catch((error: unknown) => this.fail(error))
    }
  }

  /** Before a side effect: resolves once everything so far is persisted, and never once a write failed. */
  async gate(): Promise<void> {
    await this.flushed().catch(() => new Promise<never>(() => {}))
  }

  /** Rejects when a write failed: no further side effect may run without its state persisted. */
  async flushed(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    while (this.#writing) await this.#writing
    if (this.#failure !== undefined) throw this.#failure
  }
}
