/**
 * The side effects of an upgrade, as the promise actors the machines invoke. Each takes the actor's
 * AbortSignal, and each is safe to run twice: a run restored from its state file starts the interrupted
 * step again, with the ids that were chosen and persisted before its first attempt.
 */
import { fromPromise } from 'xstate'
import type { FlinkClient } from '../client/flink-client.ts'
import type { Clusters } from '../cross-cluster/clusters.ts'
import { FlinkOperationTimeoutError } from '../errors.ts'
import { type PreflightDeps, runPreflight } from '../preflight/preflight.ts'
import { cancelIfRecovered, cancelJob } from '../steps/cancel-job.ts'
import {
  cancelKeepingCheckpoint,
  usableCheckpoint,
  useLatestCheckpoint,
} from '../steps/checkpoint-fallback.ts'
import {
  awaitBluePastCutover,
  awaitCutoverTaken,
  awaitObjectRead,
  readBothGates,
} from '../steps/handover/handover.ts'
import {
  PROGRESS_POLL_MS,
  type Progress,
  watchRestore,
  watchSavepoint,
  withProgress,
} from '../steps/progress.ts'
import { stopWithSavepoint, takeSavepoint } from '../steps/savepoint.ts'
import { startJob } from '../steps/start-job.ts'
import { uploadRelease } from '../steps/upload-release.ts'
import { type WatchBlueInput, watchBlue } from '../steps/watch-blue.ts'
import { StateFileInvalidError } from '../store/errors.ts'
import type { HandoverObject, HandoverObjectStore } from '../store/handover-object.ts'
import type { ReleaseRecordStore } from '../store/release-record.ts'
import type { ResolvedUpgradeOptions } from '../upgrade/options.ts'
import type { Check, CheckResult } from '../verify/check.ts'
import { defaultChecks, runChecks } from '../verify/index.ts'
import { withMeasuredDowntime } from './measured-downtime.ts'
import { savepointsTaken, withTaken } from './savepoints-taken.ts'
import type { UpgradeContext } from './upgrade-context.ts'
import type {
  CancelInput,
  CheckpointFallbackOutput,
  GatesInput,
  HandoverWaitInput,
  ObjectReadInput,
  SavepointInput,
  StartInput,
  StopBlueOutput,
  VerifyJobInput,
  VerifyOutput,
} from './upgrade-setup.ts'

export interface UpgradeActorDeps {
  /** Blue's cluster and green's (the same client unless the job moves to another cluster). */
  clusters: Clusters
  releases: ReleaseRecordStore
  /** The hand-over object at a location (the run's storage decides how it is written). */
  handoverObject?(path: string): HandoverObjectStore
  /**
   * Resolves once every snapshot taken so far is persisted; awaited before each side effect. Stays pending
   * once persisting failed: the step then never starts, and the run stops.
   */
  persisted(): Promise<void>
  /** Called as a side effect starts; the function it returns as it ends (a stopping run waits for it). */
  startEffect?(): () => void
  /** The user's own checks, run on green after the built-in ones. */
  customChecks?: Check[]
  /** Progress of savepoints and restores as they run (not persisted: it only matters while it runs). */
  onProgress?: (progress: Progress) => void
  /** How often that progress is polled (default PROGRESS_POLL_MS). */
  progressIntervalMs?: number
}

/** Runs `effect` only after the state that leads to it is safely persisted. */
function afterPersist<I, O>(deps: UpgradeActorDeps, effect: (input: I, signal: AbortSignal) => Promise<O>) {
  return fromPromise<O, I>(async ({ input, signal }) => {
    await deps.persisted()
    signal.throwIfAborted()
    const ended = deps.startEffect?.()
    try {
      return await effect(input, signal)
    } finally {
      ended?.()
    }
  })
}

export function createUpgradeActors(deps: UpgradeActorDeps) {
  const { clusters } = deps
  // Blue's savepoints, its watch and its restart happen on blue's cluster; everything of green on green's.
  const client = clusters.blue
  const on = (role: 'blue' | 'green' | undefined): FlinkClient =>
    role === 'blue' ? clusters.blue : clusters.green
  const watch = {
    intervalMs: deps.progressIntervalMs ?? PROGRESS_POLL_MS,
    report: deps.onProgress ?? (() => {}),
  }
  const savepointWatched = <T>(jobId: string, step: () => Promise<T>, signal: AbortSignal) =>
    deps.onProgress
      ? withProgress(step, (s) => watchSavepoint(client, { ...watch, jobId }, s), signal)
      : step()
  const preflightDeps: PreflightDeps = {
    clusters,
    async blueRelease(jobName, jobId) {
      const record = await deps.releases.read(jobName)
      if (!record || record.jobId !== jobId) return undefined
      const { jarPath, jarSha256, entryClass, programArgs, parallelism, flinkConfiguration } = record
      return {
        settings: { jarPath, jarSha256, entryClass, programArgs, parallelism, flinkConfiguration },
        startedByClaim: (record.savepoints ?? []).some((s) => s.runId === record.runId && s.claimed === true),
      }
    },
    pastDowntimes: async (jobName) => (await deps.releases.read(jobName))?.downtimes ?? [],
  }

  return {
    preflight: afterPersist(deps, (input: { options: ResolvedUpgradeOptions }, signal) =>
      runPreflight(preflightDeps, input.options, signal),
    ),

    stopBlue: afterPersist(deps, async (input: SavepointInput, signal): Promise<StopBlueOutput> => {
      // When blue reached FINISHED is read for the result afterwards, off the path to starting green.
      const timeoutMs = msUntil(input.deadline)
      return savepointWatched(
        input.jobId,
        () => stopWithSavepoint(client, { ...input, timeoutMs }, signal),
        signal,
      )
    }),

    takeSavepoint: afterPersist(deps, (input: SavepointInput, signal) => {
      const timeoutMs = msUntil(input.deadline)
      return savepointWatched(
        input.jobId,
        () => takeSavepoint(client, { ...input, timeoutMs }, signal),
        signal,
      )
    }),

    watchBlue: afterPersist(deps, (input: Omit<WatchBlueInput, 'poll'>, signal) =>
      watchBlue(client, input, signal),
    ),

    useLatestCheckpoint: afterPersist(
      deps,
      (
        input: { jobId: string; maxAgeMs: number; deadline: number },
        signal,
      ): Promise<CheckpointFallbackOutput> =>
        useLatestCheckpoint(client, { ...input, timeoutMs: msUntil(input.deadline), signal }),
    ),

    findLastState: afterPersist(
      deps,
      (input: { jobId: string; maxAgeMs: number }, signal): Promise<CheckpointFallbackOutput> =>
        usableCheckpoint(client, { ...input, signal }),
    ),

    // afterPersist: the chosen checkpoint is in the state file before blue is cancelled.
    cancelForLastState: afterPersist(
      deps,
      (
        input: { jobId: string; chosen: string; deadline: number },
        signal,
      ): Promise<CheckpointFallbackOutput> =>
        cancelKeepingCheckpoint(client, { ...input, timeoutMs: msUntil(input.deadline), signal }),
    ),

    startJob: afterPersist(deps, async (input: StartInput, signal) => {
      const jarId = input.jarId ?? (await jarFor(input, signal))
      return startJob(on(input.role), { ...input, jarId }, signal)
    }),

    verifyJob: afterPersist(deps, async (input: VerifyJobInput, signal): Promise<VerifyOutput> => {
      const checks = defaultChecks({
        savepointPath: input.savepointPath,
        checkpoints: input.verify.checkpoints,
        stabilisationMs: input.verify.stabilisationMs,
        recordsFlowing: input.verify.recordsFlowing,
        watermarksAdvance: input.verify.watermarksAdvance,
        backpressureNotHigh: input.verify.backpressureNotHigh,
        // Green's sources start behind; a blue started again by a rollback is verified as it comes back.
        caughtUp: input.role === 'green' &&
          input.verify.caughtUp && {
            maxPending: input.verify.caughtUpMaxPending,
            windowMs: input.verify.caughtUpWindowMs,
          },
        allowCheckpointRestore: input.allowCheckpointRestore,
        custom: input.role === 'green' ? deps.customChecks : undefined,
      })
      const verify = () =>
        runChecks(checks, {
          client: on(input.role),
          jobId: input.jobId,
          savepointPath: input.savepointPath,
          deadline: input.deadline,
          signal,
        })
      const { jobId, role } = input
      const outcome = deps.onProgress
        ? await withProgress(verify, (s) => watchRestore(on(role), { ...watch, jobId, role }, s), signal)
        : await verify()
      return { passed: outcome.passed, results: outcome.results, allRunningAt: allRunningAt(outcome.results) }
    }),

    cancelJob: afterPersist(deps, (input: CancelInput, signal) =>
      cancelJob(on(input.role), input.jobId, { timeoutMs: msUntil(input.deadline), signal }),
    ),

    recordRelease: afterPersist(deps, async ({ context }: { context: UpgradeContext }, signal) => {
      // blue has stopped by now; a JobManager failing over since may have recovered it: never two copies
      const blue = context.facts?.blue
      if (blue && blue.jobId !== context.green.jobId)
        await cancelIfRecovered(clusters.blue, blue.jobId, {
          timeoutMs: context.options.timeouts.cancelMs,
          signal,
        })
      const name =
        context.facts?.blue?.name ?? (await clusters.green.jobs.get({ jobid: context.green.jobId })).name
      const { settings } = context.green
      // An unreadable record is replaced as before; only the history it held is lost.
      const previous = await deps.releases.read(name).catch((error: unknown) => {
        if (error instanceof StateFileInvalidError) return undefined
        throw error
      })
      await deps.releases.write({
        jobName: name,
        jobId: context.green.jobId,
        flinkUrl: clusters.green.url,
        jarPath: settings.jarPath,
        jarSha256: context.facts!.greenJarSha256,
        jarId: context.facts!.greenJarId,
        entryClass: settings.entryClass,
        programArgs: settings.programArgs,
        parallelism: settings.parallelism,
        flinkConfiguration: settings.flinkConfiguration,
        savepointPath: context.savepoint?.location,
        deployedAt: new Date().toISOString(),
        runId: context.runId,
        savepoints: withTaken(previous?.savepoints, savepointsTaken(context)),
        downtimes: await withMeasuredDowntime(previous?.downtimes, context, clusters),
      })
    }),

    readGates: afterPersist(deps, (input: GatesInput, signal) => readBothGates(clusters, input, signal)),

    // afterPersist: T (and its version) is in the run state before any gate can read it.
    writeHandover: afterPersist(deps, async (input: { path: string; object: HandoverObject }) => {
      if (!deps.handoverObject) throw new Error('this run has no storage for the hand-over object')
      await deps.handoverObject(input.path).write(input.object)
    }),

    awaitObjectRead: afterPersist(deps, (input: ObjectReadInput, signal) =>
      awaitObjectRead(clusters[input.role], input, { deadline: input.deadline, signal }),
    ),

    awaitCutoverTaken: afterPersist(deps, (input: HandoverWaitInput, signal) =>
      awaitCutoverTaken(clusters, input, { deadline: input.deadline, signal }),
    ),

    awaitBluePastCutover: afterPersist(deps, (input: HandoverWaitInput, signal) =>
      awaitBluePastCutover(clusters, input, { deadline: input.deadline, signal }),
    ),

    revalidate: afterPersist(deps, async (input: { blueJobId?: string; greenJobId: string }, signal) => {
      const jobs = [
        [input.greenJobId, clusters.green],
        [input.blueJobId, clusters.blue],
      ] as const
      for (const [jobId, cluster] of jobs) {
        if (!jobId) continue
        const { status } = await cluster.jobs.status({ jobid: jobId, signal })
        if (status !== 'RUNNING')
          throw new Error(`job ${jobId} is ${status}, not RUNNING; the promotion is no longer safe`)
      }
    }),
  }

  /** Blue's jar for a rollback: still on its cluster under its content-hash name, or uploaded again. */
  async function jarFor(input: StartInput, signal: AbortSignal): Promise<string> {
    if (!input.settings.jarPath)
      throw new Error('no jar is known for this release; it cannot be started again')
    const { jarPath, jarSha256 } = input.settings
    return (await uploadRelease(on(input.role), jarPath, signal, jarSha256)).jarId
  }
}

function msUntil(deadline: number): number {
  const left = deadline - Date.now()
  if (left <= 0) throw new FlinkOperationTimeoutError('step', 'deadline', 0)
  return left
}

function allRunningAt(results: CheckResult[]): number | undefined {
  const value = results.find((r) => r.evidence.allRunningAt !== undefined)?.evidence.allRunningAt
  return typeof value === 'number' ? value : undefined
}
