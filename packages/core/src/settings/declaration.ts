/**
 * One declaration per upgrade setting that passes through to core's UpgradeOptions unchanged: its name (the
 * CLI flag, the config-file key, the manifest key, the `FLINK_DEPLOY_<NAME>` variable), the option it sets,
 * how its text is read, its help, and where users can set it. The CLI's flags and --help, the config file and
 * environment, the Action's inputs and the manifest schema are derived from this list, so a setting declared
 * here reaches every surface; test/settings-parity.test.ts fails when a field of UpgradeOptions has none.
 *
 * Settings that need more than passing a value through (the job, the jars and their paths, program
 * arguments) are read by each surface itself; the parity test lists them too.
 */

/** How a value is written by users; each surface reads it in its own syntax (the Action's durations are ms). */
export type SettingKind =
  | 'string'
  | 'boolean'
  | 'enum'
  | 'positiveInt'
  | 'count'
  | 'duration'
  | 'durationOrZero'
  | 'map'
  /** Repeatable: the CLI flag may be given more than once, the Action input and env var take one per line. */
  | 'list'
  /** A value never shown: kept out of output, masked in the Action's log. */
  | 'secret'

export interface SettingDeclaration {
  /** kebab-case: the flag (without --), config-file and manifest key, and FLINK_DEPLOY_<NAME>. */
  readonly name: string
  /** Path in UpgradeOptions (`verify.checkpoints`). */
  readonly option: string
  readonly kind: SettingKind
  readonly values?: readonly [string, ...string[]]
  /** Placeholder in the CLI help (`<mode>`). */
  readonly arg?: string
  readonly help: string
  /** Other CLI commands that take the same setting, besides upgrade. */
  readonly commands?: readonly string[]
  /**
   * The Action input's name when it differs (durations are whole milliseconds there: `-ms`), or
   * `{ absent }` with the reason when the Action deliberately has no such input.
   */
  readonly action?: string | { absent: string }
  /** `{ absent }` with the reason when a manifest job deliberately cannot set it. */
  readonly manifest?: { absent: string }
}

const D = <const T extends SettingDeclaration>(d: T) => d

export const UPGRADE_SETTINGS = [
  D({
    name: 'entry-class',
    option: 'entryClass',
    kind: 'string',
    arg: '<class>',
    help: "main class, when the jar's manifest does not name it",
  }),
  D({ name: 'parallelism', option: 'parallelism', kind: 'positiveInt', arg: '<n>', help: 'job parallelism' }),
  D({
    name: 'flink-config',
    option: 'flinkConfiguration',
    kind: 'map',
    arg: '<key=value>',
    help: 'Flink configuration for green, repeatable (env: one per line)',
  }),
  D({
    name: 'strategy',
    option: 'strategy',
    kind: 'enum',
    values: ['stop-and-restart', 'blue-green'],
    arg: '<name>',
    help: 'stop-and-restart (default) or blue-green',
  }),
  D({
    name: 'savepoint-dir',
    option: 'savepointDir',
    kind: 'string',
    arg: '<uri>',
    help: "where savepoints go (default: the cluster's execution.checkpointing.savepoint-dir)",
    commands: ['savepoint'],
  }),
  D({
    name: 'savepoint-format',
    option: 'savepointFormat',
    kind: 'enum',
    values: ['canonical', 'native'],
    arg: '<format>',
    help: 'canonical (default) or native; jobs on Flink 2.x async state take only native savepoints',
    commands: ['savepoint'],
  }),
  D({
    name: 'allow-local-savepoint-dir',
    option: 'allowLocalSavepointDir',
    kind: 'boolean',
    help: 'moving the job: accept a file: savepoint directory (only if both clusters mount the same disk there)',
    manifest: { absent: 'a manifest deploys to one cluster; it does not move jobs' },
  }),
  D({
    name: 'allow-non-restored-state',
    option: 'allowNonRestoredState',
    kind: 'boolean',
    help: "start green even if it would not take all of blue's state (that state is lost)",
  }),
  D({
    name: 'accept-duplicates-and-fencing',
    option: 'acceptDuplicatesAndFencing',
    kind: 'boolean',
    help: 'blue-green on a job with transactional sinks (e.g. Kafka exactly-once): run it anyway; green fences blue, committed output is lost or duplicated',
  }),
  D({
    name: 'handover',
    option: 'handover',
    kind: 'enum',
    values: ['none', 'gate'],
    arg: '<mode>',
    help: 'blue-green: none (default) or gate, the exactly-once hand-over through the flink-deploy-gate library in the job (blue writes before a cutover T, green from T on)',
  }),
  D({
    name: 'handover-path',
    option: 'handoverPath',
    kind: 'string',
    arg: '<uri>',
    help: "handover gate: where the hand-over object goes, a URI the job's Flink FileSystem reads (default: beside the run state, file or s3)",
  }),
  D({
    name: 'handover-margin',
    option: 'handoverMarginMs',
    kind: 'duration',
    arg: '<duration>',
    help: "handover gate: how far T lies past the latest event time either gate has decided (covers the gates' poll and the metrics' lag; default 10s)",
    action: 'handover-margin-ms',
  }),
  D({
    name: 'claim-mode',
    option: 'claimMode',
    kind: 'enum',
    values: ['NO_CLAIM', 'CLAIM'],
    arg: '<mode>',
    help: 'NO_CLAIM (default: the savepoint stays usable for a rollback) or CLAIM',
  }),
  D({
    name: 'drain',
    option: 'drain',
    kind: 'boolean',
    help: 'drain blue when stopping it (MAX_WATERMARK)',
    commands: ['savepoint'],
  }),
  D({
    name: 'stateless',
    option: 'stateless',
    kind: 'boolean',
    help: "start green empty instead of from blue's state (state is lost)",
  }),
  D({
    name: 'initial-savepoint',
    option: 'initialSavepoint',
    kind: 'string',
    arg: '<path>',
    help: 'first deployment only: start from this savepoint',
  }),
  D({
    name: 'checkpoint-fallback-max-age',
    option: 'checkpointFallbackMaxAgeMs',
    kind: 'duration',
    arg: '<duration>',
    help: 'if blue cannot take a savepoint, use its latest retained checkpoint of at most this age',
    action: 'checkpoint-fallback-max-age-ms',
  }),
  D({
    name: 'upgrade-mode',
    option: 'upgradeMode',
    kind: 'enum',
    values: ['savepoint', 'last-state'],
    arg: '<mode>',
    help: 'savepoint (default: stop blue with a new one) or last-state (cancel blue; green starts from its latest retained checkpoint)',
  }),
  D({
    name: 'last-state-max-age',
    option: 'lastStateMaxAgeMs',
    kind: 'duration',
    arg: '<duration>',
    help: 'last-state: refuse before blue is touched if its latest checkpoint is older than this (default 5m)',
    action: 'last-state-max-age-ms',
  }),
  D({
    name: 'assume-sources-replay',
    option: 'assumeSourcesReplay',
    kind: 'boolean',
    help: "last-state: go on when flink-deploy cannot tell that blue's sources replay from the checkpoint (legacy SourceFunction sources, no source metrics); you vouch they do, else records are lost",
  }),
  D({
    name: 'manual-promotion',
    option: 'manualPromotion',
    kind: 'boolean',
    help: 'blue-green: stop once green is verified; finish with promote or reject',
    manifest: { absent: 'apply finishes every job of a wave before the next; none waits for a person' },
  }),
  D({
    name: 'dry-run',
    option: 'dryRun',
    kind: 'boolean',
    help: 'run preflight and print the plan; change nothing',
    commands: ['jars prune', 'savepoints prune'],
    manifest: { absent: '`plan` is the dry run of a manifest' },
  }),
  D({
    name: 'keep-savepoints',
    option: 'keepSavepoints',
    kind: 'count',
    arg: '<n>',
    help: "after a successful upgrade, prune the job's savepoints to the newest n (never the rollback target; see `savepoints prune`)",
  }),
  D({
    name: 'verify-checkpoints',
    option: 'verify.checkpoints',
    kind: 'count',
    arg: '<n>',
    help: 'completed checkpoints green must take after its restore (default 1)',
  }),
  D({
    name: 'verify-stabilisation',
    option: 'verify.stabilisationMs',
    kind: 'durationOrZero',
    arg: '<duration>',
    help: 'how long green must run without restarts or new exceptions (default 10s)',
    action: 'verify-stabilisation-ms',
  }),
  D({
    name: 'verify-timeout',
    option: 'verify.timeoutMs',
    kind: 'duration',
    arg: '<duration>',
    help: 'deadline of the whole verification (default 3m)',
    action: 'verify-timeout-ms',
  }),
  D({
    name: 'verify-records-flowing',
    option: 'verify.recordsFlowing',
    kind: 'boolean',
    help: 'also check that records flow out of the sources',
  }),
  D({
    name: 'verify-watermarks',
    option: 'verify.watermarksAdvance',
    kind: 'boolean',
    help: 'also check that watermarks advance',
    action: 'verify-watermarks-advance',
  }),
  D({
    name: 'verify-backpressure',
    option: 'verify.backpressureNotHigh',
    kind: 'boolean',
    help: 'also check that backpressure is not high',
    action: 'verify-backpressure-not-high',
  }),
  D({
    name: 'verify-caught-up',
    option: 'verify.caughtUp',
    kind: 'boolean',
    help: "check that green's sources worked off their backlog (pendingRecords; on unless --no-verify-caught-up; skipped for sources without it)",
  }),
  D({
    name: 'verify-caught-up-max-pending',
    option: 'verify.caughtUpMaxPending',
    kind: 'count',
    arg: '<n>',
    help: 'caught up once the sources have at most this many pending records (default 1000)',
  }),
  D({
    name: 'verify-caught-up-window',
    option: 'verify.caughtUpWindowMs',
    kind: 'duration',
    arg: '<duration>',
    help: 'or once their backlog has fallen, without rising, for this long (default 10s)',
    action: 'verify-caught-up-window-ms',
  }),
  D({
    name: 'rollback-entry-class',
    option: 'rollback.entryClass',
    kind: 'string',
    arg: '<class>',
    help: "blue's main class for a rollback",
  }),
  D({
    name: 'rollback-parallelism',
    option: 'rollback.parallelism',
    kind: 'positiveInt',
    arg: '<n>',
    help: "blue's parallelism for a rollback",
  }),
  D({
    name: 'rollback-flink-config',
    option: 'rollback.flinkConfiguration',
    kind: 'map',
    arg: '<key=value>',
    help: "blue's Flink configuration for a rollback, repeatable (env: one per line)",
  }),
  D({
    name: 'notify',
    option: 'notify.urls',
    kind: 'list',
    arg: '<url>',
    help: 'post a JSON message to this webhook when the run ends (Slack-formatted for a hooks.slack.com URL), repeatable (env: one per line)',
    commands: ['resume', 'promote', 'reject', 'apply'],
  }),
  D({
    name: 'notify-secret',
    option: 'notify.secret',
    kind: 'secret',
    arg: '<secret>',
    help: 'sign the messages to non-Slack webhooks: X-Flink-Deploy-Signature, HMAC-SHA256 of the body (prefer FLINK_DEPLOY_NOTIFY_SECRET)',
    commands: ['resume', 'promote', 'reject', 'apply'],
  }),
  D({
    name: 'notify-steps',
    option: 'notify.steps',
    kind: 'boolean',
    help: 'also post a message as each step begins',
    commands: ['resume', 'promote', 'reject', 'apply'],
  }),
  D({
    name: 'savepoint-timeout',
    option: 'timeouts.savepointMs',
    kind: 'duration',
    arg: '<duration>',
    help: 'deadline of a savepoint (default 10m)',
    commands: ['savepoint'],
    action: 'savepoint-timeout-ms',
  }),
  D({
    name: 'cancel-timeout',
    option: 'timeouts.cancelMs',
    kind: 'duration',
    arg: '<duration>',
    help: 'deadline of a cancellation (default 2m)',
    commands: ['cancel'],
    action: 'cancel-timeout-ms',
  }),
  D({
    name: 'blue-settle',
    option: 'timeouts.blueSettleMs',
    kind: 'duration',
    arg: '<duration>',
    help: 'after a failed savepoint: how long blue must run without a new failure to count as settled (default 10s)',
    action: 'blue-settle-ms',
  }),
] as const satisfies readonly SettingDeclaration[]

export type UpgradeSettingName = (typeof UPGRADE_SETTINGS)[number]['name']

/** The Action input of a setting, or undefined when the Action deliberately has none. */
export function actionInputOf(d: SettingDeclaration): string | undefined {
  if (d.action === undefined) return d.name
  return typeof d.action === 'string' ? d.action : undefined
}

/** Whether a manifest job (and `defaults:`) takes the setting. */
export const inManifest = (d: SettingDeclaration) => d.manifest === undefined

/** The value of a declared setting once read (durations in ms). */
type ValueOf<D extends SettingDeclaration> = D['kind'] extends 'boolean'
  ? boolean
  : D['kind'] extends 'enum'
    ? NonNullable<D['values']>[number]
    : D['kind'] extends 'map'
      ? Record<string, string>
      : D['kind'] extends 'list'
        ? string[]
        : D['kind'] extends 'string' | 'secret'
          ? string
          : number

/** The declared settings by name, each optional, as a surface holds them once read. */
export type DeclaredValues = {
  [D in (typeof UPGRADE_SETTINGS)[number] as D['name']]?: ValueOf<D>
}
