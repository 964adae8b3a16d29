/** The commands: their settings, help text with examples, and what runs them. */
import type { CommandContext } from './context.ts'
import { CLIENT_KEYS, CONNECTION_KEYS, declaredFor, type SettingKey, TARGET_KEYS } from './settings.ts'

// A command's code loads when it runs: `--help` or a mistyped flag never loads the client and the machines.
const cluster = () => import('./commands/cluster.ts')
const statusCommand = () => import('./commands/status.ts')
const jars = () => import('./commands/jars.ts')
const upgrades = () => import('./commands/upgrade.ts')
const fleet = () => import('./commands/fleet.ts')
const unlocking = () => import('./commands/unlock.ts')
const savepoints = () => import('./commands/savepoints.ts')

export interface Command {
  name: string
  summary: string
  usage: string
  description: string
  /** Settings of the command itself, shown first in its help. */
  settings: readonly SettingKey[]
  /** Connection and output settings are added unless false. */
  connection?: boolean
  /** Takes a second cluster (`--to-flink-url`...): a run that moves the job, or a look at both clusters. */
  target?: boolean
  positionals?: number
  examples: string[]
  /** Whether the help lists the exit codes of a run. */
  runExitCodes?: boolean
  run(ctx: CommandContext): Promise<number>
}

const UPGRADE_SETTINGS: readonly SettingKey[] = [
  'jobName',
  'jobId',
  'jar',
  'args',
  'argsJson',
  ...declaredFor('upgrade'),
  'rollbackJar',
  'rollbackArgs',
  'rollbackArgsJson',
  'stateFile',
  'stateDir',
  'stateStore',
  'lockLease',
  'lockOwner',
  'forceUnlock',
]

const RUN_STATE = [
  'stateFile',
  'stateDir',
  'stateStore',
  'jobName',
  'jobId',
  'lockLease',
  'lockOwner',
  'forceUnlock',
] as const satisfies readonly SettingKey[]

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
    target: true,
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
      '',
      '# Move the job to a new cluster (here Flink 1.20 to 2.3); savepoints on storage both clusters reach',
      'flink-deploy upgrade --flink-url http://flink-1-20:8081 --to-flink-url http://flink-2-3:8081 \\',
      '  --job-name orders --jar build/orders-flink2.jar --savepoint-dir s3://savepoints/orders',
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
    settings: [...RUN_STATE, ...declaredFor('resume')],
    target: true,
    runExitCodes: true,
    examples: [
      'flink-deploy resume --flink-url http://flink:8081 --state-file .flink-deploy/orders.json',
      'flink-deploy resume --job-name orders   # .flink-deploy/orders.json',
      'flink-deploy resume --job-name orders --flink-url http://old:8081 --to-flink-url http://new:8081   # a move',
    ],
    run: async (ctx) => (await upgrades()).runUpgradeCommand(ctx, 'resume'),
  },
  {
    name: 'promote',
    summary: 'blue-green with manual promotion: stop blue and make green the release',
    usage: 'flink-deploy promote --state-file <file> [options]',
    description: 'Re-checks both jobs, stops blue with a final savepoint and records green as the release.',
    settings: [...RUN_STATE, ...declaredFor('promote')],
    target: true,
    runExitCodes: true,
    examples: ['flink-deploy promote --flink-url http://flink:8081 --state-file .flink-deploy/orders.json'],
    run: async (ctx) => (await upgrades()).runUpgradeCommand(ctx, 'promote'),
  },
  {
    name: 'reject',
    summary: 'blue-green with manual promotion: cancel green; blue keeps running',
    usage: 'flink-deploy reject --state-file <file> [--reason <text>] [options]',
    description: 'Cancels green. Blue was never touched. Exits 0 when green was rejected as asked.',
    settings: [...RUN_STATE, 'reason', ...declaredFor('reject')],
    target: true,
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
    description:
      'Lists the jobs that have not ended (--all: every job Flink remembers), newest first. With --state-store,\n' +
      'also each stored job: its last run (step or outcome, jobs, savepoint), who holds its lock, its release.',
    settings: ['jobName', 'all', 'stateStore'],
    target: true,
    examples: [
      'flink-deploy status --flink-url http://flink:8081',
      'flink-deploy status --json | jq .jobs',
      '# Also the runs, locks and releases kept in a shared store (from any machine)',
      'flink-deploy status --state-store s3://deploy-state/flink --job-name orders',
      'flink-deploy status --flink-url http://old:8081 --to-flink-url http://new:8081 --job-name orders',
    ],
    run: async (ctx) => (await statusCommand()).status(ctx),
  },
  {
    name: 'plan',
    summary:
      'what applying a manifest of jobs would change: create, upgrade (with the differences), unchanged, blocked',
    usage: 'flink-deploy plan [-f flink-deploy.yaml] [options]',
    description:
      'Compares each job of the manifest with what runs (is it running; jar content hash, entry class, args,\n' +
      'parallelism against its release record and the cluster) and runs the preflight of each upgrade (blocked:\n' +
      'an ambiguous name, state the new release would not take). Exits 0 when nothing would change, 7 when\n' +
      'changes are pending. Nothing changes on the cluster but uploading jars to read their plans.',
    settings: ['file', 'stateDir', 'stateStore'],
    examples: ['flink-deploy plan', 'flink-deploy plan -f deploy/prod.yaml --json | jq .jobs'],
    run: async (ctx) => (await fleet()).planCommand(ctx),
  },
  {
    name: 'apply',
    summary: 'apply a manifest of jobs: each change a normal upgrade, in waves, a few at a time',
    usage: 'flink-deploy apply [-f flink-deploy.yaml] [--concurrency <n>] [options]',
    description:
      'Runs the plan: jobs in waves (`wave:` in the manifest, lowest first), at most --concurrency at once. The\n' +
      'first failure stops later waves (--continue-on-failure runs them). Ctrl-C stops every running job at a\n' +
      'safe point; `apply` again resumes interrupted jobs. With --json one NDJSON stream, each line naming its job.',
    settings: [
      'file',
      'concurrency',
      'continueOnFailure',
      'stateDir',
      'stateStore',
      'lockLease',
      'lockOwner',
      ...declaredFor('apply'),
    ],
    runExitCodes: true,
    examples: [
      'flink-deploy apply',
      'flink-deploy apply -f deploy/prod.yaml --concurrency 5 --json > apply.ndjson',
    ],
    run: async (ctx) => (await fleet()).applyCommand(ctx),
  },
  {
    name: 'unlock',
    summary: "remove a job's lock by hand, when the run that held it is surely gone",
    usage: 'flink-deploy unlock --job-name <name> [--state-store <url> | --state-file <file>]',
    description:
      'A lock on a shared store expires by itself when its holder stops renewing it (--lock-lease); this is for\n' +
      'the rest. It warns with the holder it removed: if that run is still active, two runs may change the job.',
    settings: ['jobName', 'jobId', 'stateStore', 'stateFile', 'stateDir'],
    connection: false,
    examples: [
      'flink-deploy unlock --state-store s3://deploy-state/flink --job-name orders',
      'flink-deploy resume --state-store s3://deploy-state/flink --job-name orders --flink-url http://flink:8081',
    ],
    run: async (ctx) => (await unlocking()).unlock(ctx),
  },
  {
    name: 'savepoint',
    summary: 'take a savepoint of a job and print its path',
    usage: 'flink-deploy savepoint <job-id> | --job-name <name> [--savepoint-dir <uri>] [--stop] [options]',
    description:
      'The job keeps running (with --stop it ends FINISHED). When stdout is not a terminal only the path is\n' +
      'printed, for SP=$(flink-deploy savepoint ...).',
    settings: ['jobName', 'jobId', 'stop', ...declaredFor('savepoint')],
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
    settings: declaredFor('cancel'),
    positionals: 1,
    examples: ['flink-deploy cancel 3f2a9c1b7d4e5f60718293a4b5c6d7e8'],
    run: async (ctx) => (await cluster()).cancel(ctx),
  },
  {
    name: 'jars list',
    summary: 'the uploaded jars and which release record or run uses each',
    usage: 'flink-deploy jars list [--state-dir <dir> | --state-store <url>] [options]',
    description:
      'Usage is read from the release records and run states in the state directory or the --state-store.',
    settings: ['stateDir', 'stateFile', 'stateStore'],
    examples: [
      'flink-deploy jars list --state-dir .flink-deploy',
      'flink-deploy jars list --state-store s3://deploy-state/flink',
    ],
    run: async (ctx) => (await jars()).jarsList(ctx),
  },
  {
    name: 'jars prune',
    summary: 'delete uploaded jars that no release record or run uses',
    usage: 'flink-deploy jars prune [--state-dir <dir> | --state-store <url>] [--dry-run] [options]',
    description:
      'Keeps every jar named by a release record (the current release of each job, the one a rollback\n' +
      'needs) or by a run, in the state directory or the --state-store. Refuses (exit 6) while a run holds a\n' +
      'lock there. Deleting a jar never affects a running job.',
    settings: ['stateDir', 'stateFile', 'stateStore', ...declaredFor('jars prune')],
    examples: [
      'flink-deploy jars prune --dry-run',
      'flink-deploy jars prune --state-dir /srv/deploy/.flink-deploy',
    ],
    run: async (ctx) => (await jars()).jarsPrune(ctx),
  },
  {
    name: 'savepoints list',
    summary: 'the savepoints flink-deploy took of a job: age, size, and the one a rollback needs',
    usage:
      'flink-deploy savepoints list --job-name <name> [--state-dir <dir> | --state-store <url>] [options]',
    description:
      "Read from the job's release record (its savepoint history), beside its run state. Sizes are measured for\n" +
      "savepoints on this machine's disk (file:), unknown elsewhere. Pruned ones are listed as pruned.",
    settings: ['jobName', 'stateFile', 'stateDir', 'stateStore'],
    connection: false,
    examples: [
      'flink-deploy savepoints list --job-name orders',
      'flink-deploy savepoints list --job-name orders --state-store s3://deploy-state/flink --json',
    ],
    run: async (ctx) => (await savepoints()).savepointsList(ctx),
  },
  {
    name: 'savepoints prune',
    summary: 'dispose of old savepoints of a job through Flink, never the one a rollback needs',
    usage:
      'flink-deploy savepoints prune --job-name <name> --keep <n> | --max-age <duration> [--dry-run] [options]',
    description:
      'A savepoint goes when it is not among the newest --keep, or is older than --max-age. Never disposed of:\n' +
      'the rollback target of the current release, one a stored run that has not finished needs, one\n' +
      'flink-deploy cannot attribute to itself (not recorded, a checkpoint, claimed by a job). Each disposal\n' +
      "(POST /savepoint-disposal) is recorded in the job's release record. Holds the job's lock while it runs.",
    settings: [
      'jobName',
      'keep',
      'maxAge',
      'stateFile',
      'stateDir',
      'stateStore',
      'lockLease',
      'lockOwner',
      ...declaredFor('savepoints prune'),
    ],
    examples: [
      'flink-deploy savepoints prune --flink-url http://flink:8081 --job-name orders --keep 5 --dry-run',
      'flink-deploy savepoints prune --flink-url http://flink:8081 --job-name orders --keep 3 --max-age 7d',
    ],
    run: async (ctx) => (await savepoints()).savepointsPrune(ctx),
  },
]

export const GLOBAL_KEYS = ['config', 'json'] as const satisfies readonly SettingKey[]

export function settingsOf(command: Command): SettingKey[] {
  return [
    ...command.settings,
    ...(command.connection === false ? [] : [...CONNECTION_KEYS, ...CLIENT_KEYS]),
    ...(command.target ? TARGET_KEYS : []),
    ...GLOBAL_KEYS,
  ]
}
