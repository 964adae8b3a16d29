/**
 * What an upgrade is asked to do, validated once at the edge: every mistake found here is reported before
 * anything is sent to the cluster, naming the option and what was expected.
 */
import * as z from 'zod'
import { Hex32 } from '../client/schemas/common.ts'
import { ClaimMode } from '../client/schemas/jars.ts'
import { InvalidArgumentError } from '../errors.ts'
import { DEFAULT_CAUGHT_UP_MAX_PENDING, DEFAULT_CAUGHT_UP_WINDOW_MS } from '../verify/caught-up.ts'

const ms = z.number().int().positive()

export const VerifyOptions = z.strictObject({
  /** Completed checkpoints green must take after its restore. */
  checkpoints: z.number().int().min(0).default(1),
  /** How long green must run without a restart or a new exception. */
  stabilisationMs: z.number().int().min(0).default(10_000),
  /** Deadline of the whole verification. */
  timeoutMs: ms.default(180_000),
  recordsFlowing: z.boolean().default(false),
  watermarksAdvance: z.boolean().default(false),
  backpressureNotHigh: z.boolean().default(false),
  /** Green's sources worked off their backlog (FLIP-27 `pendingRecords`); skipped for sources without it. */
  caughtUp: z.boolean().default(true),
  /** Caught up once the pending records are at most this... */
  caughtUpMaxPending: z.number().int().min(0).default(DEFAULT_CAUGHT_UP_MAX_PENDING),
  /** ...or once they have fallen, without rising, for this long. */
  caughtUpWindowMs: ms.default(DEFAULT_CAUGHT_UP_WINDOW_MS),
})

const webhookUrl = z.string().refine(
  (u) => {
    try {
      return ['http:', 'https:'].includes(new URL(u).protocol)
    } catch {
      return false
    }
  },
  // The URL itself is not echoed: a webhook's path is often its credential.
  { message: 'expected an http(s) webhook URL' },
)

export const NotifyOptions = z.strictObject({
  urls: z.array(webhookUrl).default([]),
  /** HMAC-SHA256 key of the X-Flink-Deploy-Signature header sent to every webhook but Slack's. */
  secret: z.string().min(1).optional(),
  /** Also a message as each step begins, besides the one when the run ends. */
  steps: z.boolean().default(false),
})
export type NotifyOptions = z.input<typeof NotifyOptions>

export const Strategy = z.enum(['stop-and-restart', 'blue-green'])
export type Strategy = z.infer<typeof Strategy>

export const Handover = z.enum(['none', 'gate'])
export type Handover = z.infer<typeof Handover>

/**
 * canonical: Flink's backend-independent format (the default; lets a release change state backends).
 * native: the state backend's own format, faster for large state, and the only one Flink 2.x can write for
 * operators on the async state API (State V2).
 */
export const SavepointFormat = z.enum(['canonical', 'native'])
export type SavepointFormat = z.infer<typeof SavepointFormat>

/**
 * savepoint: blue is stopped with a new savepoint (the default). last-state: blue is cancelled and green starts
 * from blue's latest retained checkpoint, as the Kubernetes operator's last-state mode: no snapshot to wait for,
 * but the sources must replay what came after that checkpoint.
 */
export const UpgradeMode = z.enum(['savepoint', 'last-state'])
export type UpgradeMode = z.infer<typeof UpgradeMode>

/** How old blue's latest checkpoint may be for a last-state upgrade, unless lastStateMaxAgeMs says. */
export const DEFAULT_LAST_STATE_MAX_AGE_MS = 300_000

export const UpgradeOptionsSchema = z
  .strictObject({
    /** Selects blue: the name of the running job, or its id. */
    jobName: z.string().min(1).optional(),
    jobId: Hex32.optional(),
    /** The green release's jar on local disk. */
    jar: z.string().min(1, 'empty; expected the path of the new release jar'),
    entryClass: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    parallelism: z.number().int().positive().optional(),
    flinkConfiguration: z.record(z.string(), z.string()).optional(),
    strategy: Strategy.default('stop-and-restart'),
    /** Where savepoints go; defaults to the cluster's execution.checkpointing.savepoint-dir. */
    savepointDir: z.string().min(1).optional(),
    /** The format of every savepoint this run takes of blue. */
    savepointFormat: SavepointFormat.default('canonical'),
    allowNonRestoredState: z.boolean().default(false),
    /**
     * Blue-green on a job with transactional (two-phase commit) sinks: run it anyway. Green restores blue's
     * transactional ids and fences blue's producers; committed output is lost or duplicated. Refused otherwise.
     */
    acceptDuplicatesAndFencing: z.boolean().default(false),
    /**
     * Blue-green only. gate: the exactly-once hand-over. Blue and green carry the flink-deploy-gate library;
     * blue writes records before a cutover T, green from T on, coordinated through the hand-over object.
     */
    handover: Handover.default('none'),
    /**
     * Where the hand-over object is (a URI both jobs' Flink FileSystem reads). Defaults to beside the run state:
     * the object must be written through the same storage as the run, so whoever resumes writes the same one.
     */
    handoverPath: z.string().min(1).optional(),
    /**
     * How far the cutover T lies past the latest event time either gate reported deciding: the gates re-read
     * the object every 500 ms and Flink's metrics lag (metrics.fetcher.update-interval), so a T too close is late.
     */
    handoverMarginMs: ms.default(10_000),
    /**
     * Moving to another cluster: accept a `file:` savepoint directory, which only works when both clusters
     * mount the same shared disk at that path.
     */
    allowLocalSavepointDir: z.boolean().default(false),
    claimMode: ClaimMode.exclude(['LEGACY']).default('NO_CLAIM'),
    drain: z.boolean().default(false),
    /** Start green empty instead of from blue's state. Explicit opt-in only: state is lost. */
    stateless: z.boolean().default(false),
    /** First deployment only: start from this savepoint. */
    initialSavepoint: z.string().min(1).optional(),
    /** If blue is too unhealthy to take a savepoint, fall back to its latest retained checkpoint of at most this age. */
    checkpointFallbackMaxAgeMs: ms.optional(),
    upgradeMode: UpgradeMode.default('savepoint'),
    /** last-state: the oldest blue's latest checkpoint may be (default DEFAULT_LAST_STATE_MAX_AGE_MS). */
    lastStateMaxAgeMs: ms.optional(),
    /**
     * last-state: the user vouches that blue's sources replay from the checkpoint where flink-deploy cannot
     * tell (sources other than FLIP-27 ones, or none of their metrics listed). Refused otherwise.
     */
    assumeSourcesReplay: z.boolean().default(false),
    /**
     * How to run blue again if green fails, when no release record of an earlier flink-deploy run says so
     * (the first upgrade of a job deployed by other means).
     */
    rollback: z
      .strictObject({
        jar: z.string().min(1),
        entryClass: z.string().min(1).optional(),
        args: z.array(z.string()).default([]),
        parallelism: z.number().int().positive().optional(),
        flinkConfiguration: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    /** Blue-green: stop after green is verified and wait for promote() or reject(). */
    manualPromotion: z.boolean().default(false),
    /** Stop after preflight and report the steps that would run. */
    dryRun: z.boolean().default(false),
    /**
     * After a successful upgrade, prune the job's savepoints to the newest n flink-deploy took (never the
     * rollback target); a prune that fails is a warning, never a different outcome.
     */
    keepSavepoints: z.number().int().nonnegative().optional(),
    verify: VerifyOptions.default({
      checkpoints: 1,
      stabilisationMs: 10_000,
      timeoutMs: 180_000,
      recordsFlowing: false,
      watermarksAdvance: false,
      backpressureNotHigh: false,
      caughtUp: true,
      caughtUpMaxPending: DEFAULT_CAUGHT_UP_MAX_PENDING,
      caughtUpWindowMs: DEFAULT_CAUGHT_UP_WINDOW_MS,
    }),
    /**
     * Webhooks told when the run ends (and, with `steps`, as each step begins). Never persisted with the
     * run: a resumed run is given them again (UpgradeRuntime.notify).
     */
    notify: NotifyOptions.optional(),
    timeouts: z
      .strictObject({
        savepointMs: ms.default(600_000),
        cancelMs: ms.default(120_000),
        /**
         * After a failed savepoint: how long blue must run without a new failure to count as settled. Blue is
         * watched for at most three such windows; one still failing then is reported as restarting.
         */
        blueSettleMs: ms.default(10_000),
      })
      .default({ savepointMs: 600_000, cancelMs: 120_000, blueSettleMs: 10_000 }),
  })
  .refine((o) => (o.jobName === undefined) !== (o.jobId === undefined), {
    message: 'give exactly one of jobName and jobId to choose the job to upgrade',
    path: ['jobName'],
  })
  .refine((o) => !(o.stateless && o.initialSavepoint), {
    message: 'stateless and initialSavepoint exclude each other',
    path: ['stateless'],
  })
  .superRefine((o, ctx) => {
    const conflict = handoverConflict(o)
    if (conflict) ctx.addIssue({ code: 'custom', path: [conflict.path], message: conflict.message })
  })
  .superRefine((o, ctx) => {
    if (o.upgradeMode !== 'last-state') {
      if (o.lastStateMaxAgeMs !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['lastStateMaxAgeMs'],
          message: 'applies only to upgradeMode last-state',
        })
      if (o.assumeSourcesReplay)
        ctx.addIssue({
          code: 'custom',
          path: ['assumeSourcesReplay'],
          message: 'applies only to upgradeMode last-state',
        })
      return
    }
    const conflict = lastStateConflict(o)
    if (conflict) ctx.addIssue({ code: 'custom', path: ['upgradeMode'], message: `last-state ${conflict}` })
  })

/** The hand-over splits the output between two jobs that run side by side: only blue-green has two. */
function handoverConflict(o: {
  strategy: Strategy
  handover: Handover
  handoverPath?: string
  stateless: boolean
  acceptDuplicatesAndFencing: boolean
}): { path: string; message: string } | undefined {
  if (o.handover === 'none')
    return o.handoverPath === undefined
      ? undefined
      : { path: 'handoverPath', message: 'applies only to handover gate' }
  if (o.strategy !== 'blue-green')
    return {
      path: 'handover',
      message: `gate needs strategy blue-green (blue and green run side by side during the hand-over); got ${o.strategy}`,
    }
  if (o.stateless)
    return { path: 'handover', message: "gate starts green from blue's savepoint; it excludes stateless" }
  if (o.acceptDuplicatesAndFencing)
    return {
      path: 'handover',
      message: 'gate writes every record once; it excludes acceptDuplicatesAndFencing',
    }
  return undefined
}

function lastStateConflict(o: {
  strategy: Strategy
  stateless: boolean
  claimMode: string
}): string | undefined {
  if (o.strategy === 'blue-green')
    return 'cancels blue before green starts; it cannot run with strategy blue-green'
  if (o.stateless) return "starts green from blue's checkpoint; it excludes stateless"
  if (o.claimMode === 'CLAIM')
    return 'needs claimMode NO_CLAIM: a rollback restarts blue from the same checkpoint, which green must not delete'
  return undefined
}

export type UpgradeOptions = z.input<typeof UpgradeOptionsSchema>
export type ResolvedUpgradeOptions = z.output<typeof UpgradeOptionsSchema>

export function resolveUpgradeOptions(options: UpgradeOptions): ResolvedUpgradeOptions {
  const parsed = UpgradeOptionsSchema.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new InvalidArgumentError(
      issue.path.length > 0 ? issue.path.join('.') : 'upgrade options',
      issue.message,
    )
  }
  return parsed.data
}

export type ResolvedNotifyOptions = z.output<typeof NotifyOptions>

/** The webhooks of a resumed run, validated like upgrade()'s. */
export function resolveNotifyOptions(options: NotifyOptions): ResolvedNotifyOptions {
  const parsed = NotifyOptions.safeParse(options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new InvalidArgumentError(['notify', ...issue.path].join('.'), issue.message)
  }
  return parsed.data
}

export const lastStateMaxAgeMs = (o: ResolvedUpgradeOptions) =>
  o.lastStateMaxAgeMs ?? DEFAULT_LAST_STATE_MAX_AGE_MS
