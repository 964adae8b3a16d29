/**
 * What an upgrade will cost, from the job's own history, before anything is touched. Downtime is measured as
 * blue ended → every subtask of green RUNNING (result.ts), so it is modelled as
 *   restart (a job start costs time whatever its state) + restore (reading the state back, by format).
 * The savepoint blue writes before it ends is estimated beside it (`savepointMs`): blue holds its output
 * while a stop-with-savepoint runs, but that time is not in the measured downtime.
 *
 * What the history shows:
 * - restart: blue's own start, job CREATED → its last vertex deployed (GET /jobs/:id), plus what Flink does
 *   not time (UNTIMED_RESTART_MS).
 * - the state size, from the latest completed checkpoint; how fast this job moves state files: the fastest
 *   completed checkpoint, bytes it wrote per ms, gives the time a full checkpoint would take.
 * - restore, by format: a RocksDB checkpoint or native savepoint is restored by copying its files, a multiple
 *   of the full checkpoint's time that grows with the state (fileRestoreFactor); a canonical savepoint by
 *   re-inserting every key, a cost per byte of state (CANONICAL_RESTORE_MS_PER_MB).
 * - the savepoint is written at the job's own savepoint rate when its history has a savepoint, else at
 *   SAVEPOINT_VS_CHECKPOINT of the time a full checkpoint would take. Measured, a canonical savepoint is
 *   written about as fast as a native one; its cost is in the restore.
 * The constants are fitted on the bench (bench/state-size.ts: RocksDB on a local cluster, local disk, 10 MB to
 * 1 GB, Flink 1.20 and 2.3; the rows are pinned in downtime-estimate.test.ts). They are one machine's: the
 * restart and a canonical restore are CPU work (on the same 2 cores under load 6–9 they took up to twice as
 * long), and a restore from remote storage downloads what local disk only copies. So after the job's first
 * upgrades the model is corrected by what they measured (calibrate below).
 */
import type { FlinkClient } from '../client/flink-client.ts'
import type { CheckpointStats } from '../client/schemas/checkpoints.ts'
import type { JobDetails } from '../client/schemas/jobs.ts'
import type { MeasuredDowntime } from '../store/release-record.ts'
import { formatBytes, formatMs } from '../units.ts'

/**
 * The part of a restart Flink's timestamps of blue do not show: noticing blue ended (the savepoint or cancel
 * is polled), the jar-run handler building green's JobGraph, tasks initialising. Downtime less blue's start
 * less the restore was 150–300 ms in the bench on a quiet machine (load 1–2 on 2 cores), 165–760 ms under
 * load 2–9; 300 ms, fitted with the factors below, keeps every row of both within ±50 %. On a local cluster
 * blue's own start is short (80–160 ms) and does not predict green's; on one that allocates TaskManagers it
 * is most of the restart.
 */
const UNTIMED_RESTART_MS = 300
/**
 * Why the file restore factor grows with the state: copying files takes time in proportion to the bytes, while a
 * full checkpoint does not: its fixed costs (the synchronous snapshot, the memtable flush, creating and
 * acknowledging files) are much of it when the state is small. Bench, full checkpoint at the job's fastest
 * rate: ~80 ms at 10 MB, ~180–310 ms at 100 MB, ~0.9–2 s at 1 GB. So the factor is the one at 100 MB times
 * (state / 100 MB)^FILE_RESTORE_GROWTH. Above 1 GB nothing was measured; there the fixed costs are spent and
 * both grow with the bytes, so the factor is held at its 1 GB value.
 */
const FILE_RESTORE_GROWTH = 0.35
const GROWTH_REFERENCE_BYTES = 100 * 1024 * 1024
const GROWTH_LIMIT_BYTES = 1024 * 1024 * 1024
/**
 * A checkpoint or native savepoint restore at 100 MB vs a full checkpoint: the files are copied (not re-
 * written) into green's RocksDB directory, far faster than RocksDB flushed and wrote them. Bench: ~50 ms of a
 * ~270 ms checkpoint at 100 MB (0.2), 0.3–1.2 s of a 0.9–2 s one at 1 GB (0.3–0.8; 0.2 × 10.24^0.35 = 0.45).
 * From S3 it is not local disk's: on moto (loopback, bench BENCH_STATE_STORAGE=s3) a 1 GB checkpoint took 6 s
 * to upload and 1.6 s to restore, so the model estimated 3× too much; the calibration corrects it from the
 * job's first upgrades there.
 */
const FILE_RESTORE_FACTOR = 0.2
/**
 * A canonical restore deserialises every key and value and puts it into a new RocksDB (memtable, flushes,
 * compactions): work per key, on the CPU, that a checkpoint of SST files never does, so the checkpoint history
 * does not predict it. Bench: 100 MB and 1 GB restored at 2–4 ms per MB on a quiet machine (Flink 1.20 and
 * 2.3), 2–9 under load 2–9 (the same runs' full checkpoints of 100 MB took 180–710 ms with no relation to
 * it); 3.9 keeps every row within ±50 %. The cost grows with the state alone: a faster CPU restores faster
 * than this, which the calibration below learns.
 */
const CANONICAL_RESTORE_MS_PER_MB = 3.9
const MB = 1024 * 1024
/**
 * A savepoint (either format) vs a full checkpoint at the job's fastest rate: 0.25–0.8 in the bench, as a
 * stop-with-savepoint of a local RocksDB job mostly waits on no upload; 0.6 is their middle.
 */
const SAVEPOINT_VS_CHECKPOINT = 0.6
/**
 * The correction from the job's own upgrades: measured / model downtime of its last CALIBRATION_UPGRADES
 * upgrades restored the same way (a canonical savepoint, or files) on the same cluster, their geometric mean,
 * trusted in proportion to how many there are (n upgrades weigh n against the model's 1: one moves the
 * estimate halfway, in log terms). A cluster slower or faster than the bench's, or remote storage, is off by a
 * steady factor the first upgrades show; one upgrade that ran cold or beside a load spike (the bench's first
 * upgrade of a 1 GB job on a fresh cluster measured 1.3× a later one's) moves it only halfway. Held within
 * CALIBRATION_LIMITS, so a measurement gone wrong cannot make the estimate absurd.
 */
const CALIBRATION_UPGRADES = 3
const CALIBRATION_LIMITS = { min: 0.2, max: 5 }

export type EstimateMode = MeasuredDowntime['mode']
export type EstimateFormat = MeasuredDowntime['format']

export interface DowntimeEstimate {
  stateBytes: number
  /** The completed checkpoint the size is from. */
  checkpointId: number
  mode: EstimateMode
  /** The savepoint's format; for last-state, what a savepoint would have been. */
  format: EstimateFormat
  /** Submitting and scheduling green, whatever its state. */
  restartMs: number
  /** Green reading the state back. */
  restoreMs: number
  /** Blue writing its savepoint before it ends (0 for last-state); not part of `downtimeMs`. */
  savepointMs: number
  /** restartMs + restoreMs: blue ended → green running. */
  downtimeMs: number
  /** The model's downtime before the correction from the job's earlier upgrades. */
  modelDowntimeMs: number
  /** That correction, when the job has earlier upgrades of the same kind on the same cluster. */
  calibration?: Calibration
  /** The same upgrade with a native savepoint, when the mode is a canonical one. */
  nativeDowntimeMs?: number
  /** Blue-green: green restores while blue keeps running, so restart + restore is no downtime. */
  besideBlue?: true
}

export interface Calibration {
  /** measured / model, applied to restart and restore alike. */
  factor: number
  /** How many earlier upgrades it is from. */
  upgrades: number
}

export interface EstimateInputs {
  stateBytes: number
  checkpointId: number
  history: CheckpointStats[]
  /** Blue's job details, for its own start. */
  blue?: Pick<JobDetails, 'timestamps' | 'vertices'>
  mode: EstimateMode
  format: EstimateFormat
  /** The job's earlier upgrades on the cluster green will run on (its release record), oldest first. */
  past?: MeasuredDowntime[]
  besideBlue?: boolean
}

export async function estimateDowntime(
  client: FlinkClient,
  input: Pick<EstimateInputs, 'mode' | 'format' | 'past' | 'besideBlue'> & {
    jobId: string
    signal?: AbortSignal
  },
): Promise<DowntimeEstimate | undefined> {
  const { jobId: jobid, signal, ...model } = input
  const [stats, blue] = await Promise.all([
    client.checkpoints.statistics({ jobid, signal }),
    client.jobs.get({ jobid, signal }).catch(() => undefined),
  ])
  const latest = stats.latest.completed
  if (!latest) return undefined
  return modelDowntime({
    stateBytes: latest.state_size ?? 0,
    checkpointId: latest.id,
    history: stats.history,
    blue,
    ...model,
  })
}

export function modelDowntime(i: EstimateInputs): DowntimeEstimate | undefined {
  const fileRate = fastest(
    i.history,
    (c) => !c.is_savepoint,
    (c) => c.checkpointed_size,
  )
  if (i.stateBytes <= 0 || fileRate === undefined) return undefined
  const restartMs = UNTIMED_RESTART_MS + startMs(i.blue)
  const fileMs = i.stateBytes / fileRate
  const savepointRate = fastest(
    i.history,
    (c) => c.is_savepoint,
    (c) => c.state_size,
  )
  const restore = (kind: RestoreKind) =>
    kind === 'canonical'
      ? (CANONICAL_RESTORE_MS_PER_MB * i.stateBytes) / MB
      : fileRestoreFactor(i.stateBytes) * fileMs
  const write =
    i.mode === 'last-state'
      ? 0
      : savepointRate
        ? i.stateBytes / savepointRate
        : SAVEPOINT_VS_CHECKPOINT * fileMs
  const kind = restoreKind(i.mode, i.format)
  const modelRestoreMs = restore(kind)
  const calibration = calibrate(i.past ?? [], kind)
  const factor = calibration?.factor ?? 1
  const calibratedRestartMs = Math.round(restartMs * factor)
  const restoreMs = Math.round(modelRestoreMs * factor)
  const nativeDowntimeMs = () =>
    Math.round((restartMs + restore('files')) * (calibrate(i.past ?? [], 'files')?.factor ?? 1))
  return {
    stateBytes: i.stateBytes,
    checkpointId: i.checkpointId,
    mode: i.mode,
    format: i.format,
    restartMs: calibratedRestartMs,
    restoreMs,
    savepointMs: Math.round(write),
    downtimeMs: calibratedRestartMs + restoreMs,
    modelDowntimeMs: Math.round(restartMs + modelRestoreMs),
    ...(calibration ? { calibration } : {}),
    ...(i.besideBlue ? { besideBlue: true as const } : {}),
    ...(kind === 'canonical' ? { nativeDowntimeMs: nativeDowntimeMs() } : {}),
  }
}

/** A canonical savepoint is restored by re-inserting its keys; everything else by copying files. */
type RestoreKind = 'canonical' | 'files'
function restoreKind(mode: EstimateMode, format: EstimateFormat): RestoreKind {
  return mode === 'savepoint' && format === 'canonical' ? 'canonical' : 'files'
}

function calibrate(past: MeasuredDowntime[], kind: RestoreKind): Calibration | undefined {
  const ratios = past
    .filter((d) => restoreKind(d.mode, d.format) === kind && d.measuredMs > 0)
    .slice(-CALIBRATION_UPGRADES)
    .map((d) => d.measuredMs / d.modelMs)
  if (ratios.length === 0) return undefined
  const n = ratios.length
  const weighted = Math.exp((ratios.reduce((sum, r) => sum + Math.log(r), 0) / n) * (n / (n + 1)))
  const factor = Math.min(CALIBRATION_LIMITS.max, Math.max(CALIBRATION_LIMITS.min, weighted))
  return { factor: Math.round(factor * 100) / 100, upgrades: ratios.length }
}

/** Restore time / full-checkpoint time for a restore that copies files. */
function fileRestoreFactor(stateBytes: number): number {
  return (
    FILE_RESTORE_FACTOR *
    (Math.min(stateBytes, GROWTH_LIMIT_BYTES) / GROWTH_REFERENCE_BYTES) ** FILE_RESTORE_GROWTH
  )
}

/** Bytes per ms of the fastest completed snapshot of the kind that wrote something. */
function fastest(
  history: CheckpointStats[],
  kind: (c: CheckpointStats) => boolean,
  bytes: (c: CheckpointStats) => number | undefined,
): number | undefined {
  const rates = history
    .filter((c) => c.status === 'COMPLETED' && c.end_to_end_duration > 0 && kind(c))
    .map((c) => (bytes(c) ?? 0) / c.end_to_end_duration)
    .filter((r) => r > 0)
  return rates.length > 0 ? Math.max(...rates) : undefined
}

/** Blue's own start: job CREATED (or INITIALIZING) → its last vertex deployed; 0 when not shown. */
function startMs(blue: EstimateInputs['blue']): number {
  if (!blue) return 0
  const from = blue.timestamps.CREATED || blue.timestamps.INITIALIZING || 0
  const deployed = Math.max(0, ...blue.vertices.map((v) => v['start-time']))
  return from > 0 && deployed > from ? deployed - from : 0
}

/**
 * "State 204.3 MB (checkpoint 17): estimated downtime 3.1 s (restart 0.2 s, restore 2.9 s) after a savepoint
 * of est. 1.2 s", with a faster mode named.
 */
export function describeEstimate(e: DowntimeEstimate): string {
  const parts = `restart ${formatMs(e.restartMs)}, ${e.format === 'canonical' && e.mode === 'savepoint' ? 'canonical ' : ''}restore ${formatMs(e.restoreMs)}`
  const savepoint = e.mode === 'savepoint' ? ` after a savepoint of est. ${formatMs(e.savepointMs)}` : ''
  const native =
    e.nativeDowntimeMs !== undefined && e.downtimeMs >= 2 * e.nativeDowntimeMs && e.downtimeMs >= 10_000
      ? `; a native savepoint would restore faster: est. ${formatMs(e.nativeDowntimeMs)}`
      : ''
  const lastState =
    e.mode === 'savepoint' && e.savepointMs >= 10_000 ? '; last-state would skip the savepoint' : ''
  const source = e.calibration
    ? `from its history, ×${e.calibration.factor} as its last ${e.calibration.upgrades === 1 ? 'upgrade' : `${e.calibration.upgrades} upgrades`} measured`
    : 'from its history'
  const cost = e.besideBlue
    ? `green restores beside blue, which keeps running, in est. ${formatMs(e.downtimeMs)}`
    : `estimated downtime ${formatMs(e.downtimeMs)}`
  return `State ${formatBytes(e.stateBytes)} (checkpoint ${e.checkpointId}): ${cost} (${parts}, ${source})${savepoint}${native}${lastState}`
}
