/** The commands: their settings, help text with examples, and what runs them. */
import type { CommandContext } from './context.ts'
import { CONNECTION_KEYS, type SettingKey } from './settings.ts'

// A command's code loads when it runs: `--help` or a mistyped flag never loads the client and the machines.
const cluster = () => import('./commands/cluster.ts')
const jars = () => import('./commands/jars.ts')
const upgrades = () => import('./commands/upgrade.ts')

export interface Command {
  name: string
  summary: string
  usage: string
  description: string
  /** Settings of the command itself, shown first in its help. */
  settings: readonly SettingKey[]
  /** Connection and output settings are added unless false. */
  connection?: boolean
  positionals?: number
  examples: string[]
  /** Whether the help lists the exit codes of a run. */
  runExitCodes?: boolean
  run(ctx: CommandContext): Promise<number>
}

const UPGRADE_SETTINGS = [
  'jobName',
  'jobId',
  'jar',
  'entryClass',
  'args',
  'argsJson',
  'parallelism',
  'flinkConfig',
  'strategy',
  'savepointDir',
  'allowNonRestoredState',
  'claimMode',
  'drain',
  'stateless',
  'initialSavepoint',
  'checkpointFallbackMaxAge',
  'manualPromotion',
  'dryRun',
  'verifyCheckpoints',
  'verifyStabilisation',
  'verifyTimeout',
  'verifyRecordsFlowing',
  'verifyWatermarks',
  'verifyBackpressure',
  'rollbackJar',
  'rollbackArgs',
  'rollbackArgsJson',
  'rollbackEntryClass',
  'rollbackParallelism',
  'savepointTimeout',
  'cancelTimeout',
  'stateFile',
  'stateDir',
] as const satisfies readonly SettingKey[]

const RUN_STATE = ['stateFile', 'stateDir', 'jobName', 'jobId'] as const satisfies readonly SettingKey[]

export const COMMANDS: Command[] = [
  {
    name: 'upgrade',
    summary: 'upgrade a running job to a new jar (deploys it when nothing runs yet)',
    usage: 'flink-deploy upgrade --flink-url <url> --job-name <name> --jar <path> [options]',
    description:
      'Preflight (cluster, blue job, jar, state compatibility), then stop-and-restart (blue stopped with a\n' +
      'savepoint, green started from it) or blue-green (green beside blue), verification of green, and a\n' +
      'rollback from the savepoint if green fails. Every step is persisted to the state file; Ctrl-C stops at\n' +
      'the next safe point and `flink-deploy resume` continues the run.',
    settings: UPGRADE_SETTINGS,
    runExitCodes: true,
    examples: [
      '# First deployment, then every release: the same command',
      'flink-deploy upgrade --flink-url http://flink:8081 --job-name orders --jar build/orders.jar \\',
      '  --arg --name --arg orders --arg --release --arg v2',
      '',
      '# Blue-green with manual promotion, settings from the environment',
      'export FLINK_DEPLOY_FLINK_URL=https://flink.example.com FLINK_DEPLOY_TOKEN=...',
      'flink-deploy upgrade --job-name orders --jar orders.jar --strategy blue-green --manual-promotion',
      '',
      '# Only the plan; NDJSON for a script',
      'flink-deploy upgrade --job-name orders --jar orders.jar --dry-run',
      'flink-deploy upgrade --job-name orders --jar orders.jar --json | jq -c \'select(.type=="result")\'',
    ],
    run: async (ctx) => (await upgrades()).runUpgradeCommand(ctx, 'upgrade'),
  },
  {
    name: 'resume',
    summary: 'continue a run from its state file (after Ctrl-C, a crash, a CI timeout)',
    usage: 'flink-deploy resume --state-file <file> [options]',
    description:
      'The interrupted step runs again with the ids the run had chosen: the same savepoint trigger, the same\n' +
      'green job id. Give the connection settings again.',
    settings: RUN_STATE,
    runExitCodes: true,
    examples: [
      'flink-deploy resume --flink-url http://flink:8081 --state-file .flink-deploy/orders.json',
      'flink-deploy resume --job-name orders   # .flink-deploy/orders.json',
    ],
    run: async (ctx) => (await upgrades()).runUpgradeCommand(ctx, 'resume'),
  },
  {
    name: 'promote',
    summary: 'blue-green with manual promotion: stop blue and make green the release',
    usage: 'flink-deploy promote --state-file <file> [options]',
    description: 'Re-checks both jobs, stops blue with a final savepoint and records green as the release.',
    settings: RUN_STATE,
    runExitCodes: true,
    examples: ['flink-deploy promote --flink-url http://flink:8081 --state-file .flink-deploy/orders.json'],
    run: async (ctx) => (await upgrades()).runUpgradeCommand(ctx, 'promote'),
  },
  {
    name: 'reject',
    summary: 'blue-green with manual promotion: cancel green; blue keeps running',
    usage: 'flink-deploy reject --state-file <file> [--reason <text>] [options]',
    description: 'Cancels green. Blue was never touched. Exits 0 when green was rejected as asked.',
    settings: [...RUN_STATE, 'reason'],
    runExitCodes: true,
    examples: [
      'flink-deploy reject --flink-url http://flink:8081 --state-file .flink-deploy/orders.json --reason "lag grows"',
    ],
    run: async (ctx) => (await upgrades()).runUpgradeCommand(ctx, 'reject'),
  },
  {
    name: 'status',
    summary: 'the cluster: version, task managers and slots, jobs with their last checkpoint and savepoint',
    usage: 'flink-deploy status [--job-name <name>] [--all] [options]',
    description: 'Lists the jobs that have not ended (--all: every job Flink remembers), newest first.',
    settings: ['jobName', 'all'],
    examples: ['flink-deploy status --flink-url http://flink:8081', 'flink-deploy status --json | jq .jobs'],
    run: async (ctx) => (await cluster()).status(ctx),
  },
  {
    name: 'savepoint',
    summary: 'take a savepoint of a job and print its path',
    usage: 'flink-deploy savepoint <job-id> | --job-name <name> [--savepoint-dir <uri>] [--stop] [options]',
    description:
      'The job keeps running (with --stop it ends FINISHED). When stdout is not a terminal only the path is\n' +
      'printed, for SP=$(flink-deploy savepoint ...).',
    settings: ['jobName', 'jobId', 'savepointDir', 'savepointTimeout', 'stop', 'drain'],
    positionals: 1,
    examples: [
      'flink-deploy savepoint 3f2a9c1b7d4e5f60718293a4b5c6d7e8',
      'SP=$(flink-deploy savepoint --job-name orders --savepoint-dir s3://bucket/savepoints)',
    ],
    run: async (ctx) => (await cluster()).savepoint(ctx),
  },
  {
    name: 'cancel',
    summary: 'cancel a job (no savepoint) and wait until it has ended',
    usage: 'flink-deploy cancel <job-id> [options]',
    description: 'To keep its state, take a savepoint first, or use `flink-deploy savepoint --stop`.',
    settings: ['cancelTimeout'],
    positionals: 1,
    examples: ['flink-deploy cancel 3f2a9c1b7d4e5f60718293a4b5c6d7e8'],
    run: async (ctx) => (await cluster()).cancel(ctx),
  },
  {
    name: 'jars list',
    summary: 'the uploaded jars and which release record or run uses each',
    usage: 'flink-deploy jars list [--state-dir <dir>] [options]',
    description: 'Usage is read from the release records and state files in the state directory.',
    settings: ['stateDir', 'stateFile'],
    examples: ['flink-deploy jars list --state-dir .flink-deploy'],
    run: async (ctx) => (await jars()).jarsList(ctx),
  },
  {
    name: 'jars prune',
    summary: 'delete uploaded jars that no release record or run uses',
    usage: 'flink-deploy jars prune [--state-dir <dir>] [--dry-run] [options]',
    description:
      'Keeps every jar named by a release record (the current release of each job, the one a rollback\n' +
      'needs) or by a state file. Refuses (exit 6) while a run holds a lock in the state directory. Deleting a\n' +
      'jar never affects a running job.',
    settings: ['stateDir', 'stateFile', 'dryRun'],
    examples: [
      'flink-deploy jars prune --dry-run',
      'flink-deploy jars prune --state-dir /srv/deploy/.flink-deploy',
    ],
    run: async (ctx) => (await jars()).jarsPrune(ctx),
  },
]

export const GLOBAL_KEYS = ['config', 'json'] as const satisfies readonly SettingKey[]

export function settingsOf(command: Command): SettingKey[] {
  return [...command.settings, ...(command.connection === false ? [] : CONNECTION_KEYS), ...GLOBAL_KEYS]
}
