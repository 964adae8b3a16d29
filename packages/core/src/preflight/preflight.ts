/**
 * Everything an upgrade must be sure of before it changes anything: the cluster answers and accepts jars,
 * blue is the one healthy job of that name, green's jar is a jar and would take blue's state, a savepoint
 * can be written, and (blue-green, or a move to another cluster) green fits beside what runs. Only green's
 * jar is uploaded to find this out. Blue is looked for on blue's cluster; green's jar, plan and slots on
 * green's (the target of a move).
 */
import type { FlinkClient } from '../client/flink-client.ts'
import { type Clusters, isMove } from '../cross-cluster/clusters.ts'
import { checkTargetCluster, type TargetFacts } from '../cross-cluster/target-preflight.ts'
import { PreflightFailedError } from '../errors.ts'
import type { PreflightFacts } from '../machines/upgrade-context.ts'
import { usableCheckpoint } from '../steps/checkpoint-fallback.ts'
import { GATE_COLOUR_KEY, otherColour } from '../steps/handover/gate-config.ts'
import { requireBlueGate } from '../steps/handover/handover.ts'
import { uploadRelease } from '../steps/upload-release.ts'
import type { MeasuredDowntime } from '../store/release-record.ts'
import { lastStateMaxAgeMs, type ResolvedUpgradeOptions } from '../upgrade/options.ts'
import type { RunSettings } from '../upgrade/run-settings.ts'
import { estimateDowntime } from './downtime-estimate.ts'
import { type BlueSelector, findBlueJob } from './find-blue-job.ts'
import { requireReplayingSources, SOURCE_METRICS_WAIT_MS } from './replayable-sources.ts'
import { checkSavepointFormat } from './savepoint-format.ts'
import { checkStateCompatibility } from './state-compatibility.ts'
import { blueGreenOnTransactionalSinks, transactionalSinks } from './transactional-sinks.ts'

export interface PreflightDeps {
  clusters: Clusters
  /** How blue was started, from the last release record of this job, when it names this very job. */
  blueRelease(jobName: string, jobId: string): Promise<BlueRelease | undefined>
  /**
   * The downtimes the job's last upgrades measured beside the model's estimate, whoever started blue (an
   * upgrade by hand in between does not change how fast the cluster restores).
   */
  pastDowntimes(jobName: string): Promise<MeasuredDowntime[]>
}

export interface BlueRelease {
  settings: RunSettings
  /** this tool started blue restoring a savepoint in CLAIM mode */
  startedByClaim: boolean
}

const SAVEPOINT_DIR_KEYS = ['execution.checkpointing.savepoint-dir', 'state.savepoints.dir']

/** How long blue's gate metrics and watermarks may take to show (a blue that has just started, a metrics lag). */
const GATE_METRICS_WAIT_MS = 5_000
const NEVER = new AbortController().signal

export async function runPreflight(
  deps: PreflightDeps,
  options: ResolvedUpgradeOptions,
  signal?: AbortSignal,
): Promise<PreflightFacts> {
  const { clusters } = deps
  const client = clusters.blue
  const [version, config] = await Promise.all([client.version(), client.cluster.config({ signal })])
  if (config.features?.['web-submit'] === false) {
    throw new PreflightFailedError(
      'web-submit',
      'The cluster does not accept jar submissions (web.submit.enable is false)',
    )
  }
  const selector = (options.jobId ? { jobId: options.jobId } : { jobName: options.jobName! }) as BlueSelector
  // With a checkpoint fallback allowed, an unhealthy blue is the very case it exists for.
  const blueJob = await findBlueJob(
    client,
    selector,
    signal,
    options.checkpointFallbackMaxAgeMs !== undefined,
  )
  const blueRelease = blueJob ? await deps.blueRelease(blueJob.name, blueJob.jid) : undefined
  const fromBlue = blueJob !== undefined && !options.stateless
  const lastState = fromBlue && options.upgradeMode === 'last-state'
  // Refused here, before blue is touched, when the checkpoint green would start from is not there to take.
  if (lastState) {
    // Seen on Flink 2.3 (RocksDB, native savepoint): the checkpoints of a job that claimed its savepoint
    // reference files Flink has since removed, so green and blue's own restart both fail to restore.
    if (blueRelease?.startedByClaim)
      throw new PreflightFailedError(
        'usable-checkpoint',
        `last-state refused: blue ${blueJob.jid} was started from a savepoint in CLAIM mode, and its checkpoints may reference files Flink has removed (on Flink 2.3 green and a restart of blue both failed with FileNotFoundException). Upgrade with a savepoint instead (without --upgrade-mode last-state).`,
        { reason: 'claimed-restore' },
      )
    await usableCheckpoint(client, { jobId: blueJob.jid, maxAgeMs: lastStateMaxAgeMs(options), signal })
    if (!options.assumeSourcesReplay)
      await requireReplayingSources(client, blueJob.jid, {
        deadline: Date.now() + SOURCE_METRICS_WAIT_MS,
        signal,
      })
  }
  const takesSavepoint = fromBlue && !lastState
  const savepointDir = takesSavepoint
    ? await requireSavepointDir(client, options, signal)
    : options.savepointDir
  const { warnings } = takesSavepoint
    ? await checkSavepointFormat(
        client,
        { blueJobId: blueJob.jid, format: options.savepointFormat, flinkVersion: version.raw },
        signal,
      )
    : { warnings: [] }
  const target = isMove(clusters)
    ? await checkTargetCluster(
        clusters,
        {
          blueVersion: version,
          savepointDir: takesSavepoint ? savepointDir : undefined,
          allowLocalSavepointDir: options.allowLocalSavepointDir,
          fallbackFrom:
            fromBlue && (lastState || options.checkpointFallbackMaxAgeMs !== undefined)
              ? blueJob.jid
              : undefined,
        },
        signal,
      )
    : undefined

  const { 'slots-available': freeSlots } = await clusters.green.cluster.overview({ signal })
  // In place, stop-and-restart frees blue's slots for green; a move or blue-green needs green's own.
  if ((options.strategy === 'blue-green' || target) && blueJob) {
    const needed = options.parallelism ?? Math.max(1, ...blueJob.vertices.map((v) => v.parallelism))
    if (freeSlots < needed) {
      const why = target
        ? `The target cluster ${clusters.green.url} has ${freeSlots} free slots; green needs ${needed}`
        : `Blue-green needs ${needed} free slots to run green beside blue; the cluster has ${freeSlots}`
      throw new PreflightFailedError('free-slots', why, { needed, freeSlots })
    }
  }

  const sinks =
    options.strategy === 'blue-green' && fromBlue
      ? transactionalSinks((await client.jobs.plan({ jobid: blueJob.jid, signal })).plan.nodes)
      : []
  const handsOver = options.handover === 'gate' && fromBlue
  // Refused here, before blue is touched: without a blue gate reporting watermarks, T splits nothing.
  const blueGate = handsOver
    ? await requireBlueGate(client, blueJob.jid, {
        deadline: Date.now() + GATE_METRICS_WAIT_MS,
        signal: signal ?? NEVER,
      })
    : undefined
  // The gate gives each colour its own sink, so green neither restores nor fences blue's transactions.
  if (sinks.length > 0 && !options.acceptDuplicatesAndFencing && !handsOver) {
    throw new PreflightFailedError(
      'transactional-sink',
      `Blue-green refused for blue ${blueJob!.jid}: ${blueGreenOnTransactionalSinks(sinks)}. ` +
        'Use stop-and-restart instead (strategy stop-and-restart: no duplicates, a short pause in the output), ' +
        'or an exactly-once hand-over between blue and green. To run blue-green anyway, accept duplicates and ' +
        'fencing (acceptDuplicatesAndFencing, --accept-duplicates-and-fencing).',
      { sinks, alternatives: ['stop-and-restart', 'exactly-once hand-over'] },
    )
  }

  const green = await uploadRelease(clusters.green, options.jar, signal)
  const settings: RunSettings = {
    entryClass: options.entryClass,
    programArgs: options.args,
    parallelism: options.parallelism,
    // Green's plan depends on its colour (the sink's uid): the other one of blue's.
    flinkConfiguration: blueGate
      ? { ...options.flinkConfiguration, [GATE_COLOUR_KEY]: otherColour(blueGate.colour) }
      : options.flinkConfiguration,
  }
  const planned = fromBlue
    ? (
        await checkStateCompatibility(
          clusters,
          { blueJobId: blueJob.jid, greenJarId: green.jarId, green: settings },
          signal,
        )
      ).dropped
    : []
  // With the hand-over, blue's transactional sink state is blue's own (its sink uid has blue's colour).
  const dropped = handsOver
    ? planned.filter((d) => !sinks.some((sink) => d.name.includes(`${sink}: `)))
    : planned
  if (dropped.length > 0 && !options.allowNonRestoredState) {
    if (green.uploaded)
      await clusters.green.jars.delete({ jarid: green.jarId, signal }).catch(() => undefined)
    const list = dropped
      .map((d) => `${d.name} (${d.vertexId}${d.stateBytes ? `, ${d.stateBytes} bytes` : ''})`)
      .join(', ')
    throw new PreflightFailedError(
      'state-compatibility',
      `The new release would not restore the state of ${list}: its operator ids are missing from the new plan. ` +
        'Keep the operator uids, or set allowNonRestoredState to drop that state.',
      { dropped },
    )
  }

  // Only a guide: a job whose statistics cannot be read is upgraded without one.
  const estimate = fromBlue
    ? await deps
        .pastDowntimes(blueJob.name)
        .then((past) =>
          estimateDowntime(client, {
            jobId: blueJob.jid,
            mode: lastState ? 'last-state' : 'savepoint',
            format: options.savepointFormat,
            // Measured where green will run: a move restores on another cluster.
            past: past.filter((d) => d.flinkUrl === clusters.green.url),
            besideBlue: options.strategy === 'blue-green',
            signal,
          }),
        )
        .catch(() => undefined)
    : undefined
  return {
    flinkVersion: version.raw,
    blue: blueJob
      ? {
          jobId: blueJob.jid,
          name: blueJob.name,
          settings: blueRelease?.settings ?? rollbackSettings(options),
        }
      : undefined,
    savepointDir,
    greenJarId: green.jarId,
    greenJarSha256: green.jarSha256,
    greenJarUploaded: green.uploaded,
    droppedState: dropped,
    freeSlots,
    warnings: [
      ...warnings,
      ...(target?.notes ?? []),
      ...(sinks.length > 0 && !handsOver
        ? [`Blue-green with duplicates and fencing accepted: ${blueGreenOnTransactionalSinks(sinks)}`]
        : []),
    ],
    steps: [
      ...(target ? [moveStep(clusters, version.raw, target)] : []),
      ...plannedSteps(options, blueJob?.jid, handsOver ? [] : sinks),
    ],
    targetFlinkVersion: target?.flinkVersion,
    estimate,
    ...(blueGate ? { blueGate } : {}),
  }
}

function moveStep(clusters: Clusters, blueVersion: string, target: TargetFacts): string {
  return `move the job from ${clusters.blue.url} (Flink ${blueVersion}) to ${clusters.green.url} (Flink ${target.flinkVersion})`
}

/** The directory savepoints go to: the one given, else the cluster's; there must be one. */
async function requireSavepointDir(
  client: FlinkClient,
  options: ResolvedUpgradeOptions,
  signal?: AbortSignal,
): Promise<string> {
  if (options.savepointDir) return options.savepointDir
  const entries = await client.jobmanager.config({ signal })
  const configured = entries.find((e) => SAVEPOINT_DIR_KEYS.includes(e.key) && e.value.trim() !== '')
  if (configured) return configured.value
  throw new PreflightFailedError(
    'savepoint-dir',
    'No savepoint directory: the cluster has no execution.checkpointing.savepoint-dir and none was given (savepointDir)',
  )
}

function rollbackSettings(options: ResolvedUpgradeOptions): RunSettings | undefined {
  const r = options.rollback
  if (!r) return undefined
  return {
    jarPath: r.jar,
    entryClass: r.entryClass,
    programArgs: r.args,
    parallelism: r.parallelism,
    flinkConfiguration: r.flinkConfiguration,
  }
}

function plannedSteps(
  options: ResolvedUpgradeOptions,
  blueJobId: string | undefined,
  transactional: string[],
): string[] {
  const green = `start green from ${options.jar}${options.args.length ? ` with ${options.args.join(' ')}` : ''}`
  if (!blueJobId) {
    const from = options.initialSavepoint
      ? ` from savepoint ${options.initialSavepoint}`
      : ' with empty state'
    return [`${green}${from} (first deployment)`, 'verify green']
  }
  const from = options.stateless
    ? 'with empty state (stateless: blue state is discarded)'
    : 'from that savepoint'
  const format = options.savepointFormat
  if (options.upgradeMode === 'last-state' && !options.stateless) {
    return [
      `cancel blue ${blueJobId}, keeping its latest retained checkpoint (at most ${lastStateMaxAgeMs(options) / 1000} s old)`,
      `${green} from that checkpoint (last-state: the sources replay what came after it)`,
      'verify green; on failure run blue again from the same checkpoint',
    ]
  }
  if (options.strategy === 'blue-green') {
    return [
      `take a ${format} savepoint of blue ${blueJobId} while it keeps running`,
      `${green} ${from}, beside blue${options.handover === 'gate' ? ', its hand-over gate in standby (it writes nothing)' : ''}`,
      options.handover === 'gate'
        ? 'hand over exactly once: choose a cutover T from both gates, publish it, let green write from T on once every blue gate subtask took T'
        : transactional.length > 0
          ? `while both run: ${blueGreenOnTransactionalSinks(transactional)} (accepted)`
          : 'while both run, blue and green each write their own copy of the output: duplicates downstream unless the sinks are idempotent',
      'verify green',
      ...(options.manualPromotion ? ['wait for promote or reject'] : []),
      `stop blue ${blueJobId} with a final ${format} savepoint${options.handover === 'gate' ? " once its watermark reached T (blue's sink commits what it wrote)" : ''}`,
    ]
  }
  return [
    `stop blue ${blueJobId} with a ${format} savepoint`,
    `${green} ${from}`,
    'verify green; on failure run blue again from the savepoint',
  ]
}
