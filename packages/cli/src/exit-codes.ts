/**
 * The exit codes of flink-deploy, the contract with deployment scripts. Documented in README.md and in
 * `flink-deploy --help`; keep the three in step.
 */
import type { Outcome } from '@flink-deploy/core'

export const EXIT = {
  /** Upgraded, dry run, awaiting promotion; any other command succeeded. */
  ok: 0,
  /** An unexpected error: the cluster could not be reached, answered an error, a file could not be written. */
  error: 1,
  /** Bad input: flags, environment, config file, state file; nothing was sent to the cluster. */
  badInput: 2,
  /** Green failed and was rolled back: blue runs again from the savepoint. */
  rolledBack: 3,
  /** Aborted before blue was touched (preflight refusal, failed savepoint, cancelled early): blue runs as before. */
  aborted: 4,
  /** Something failed where no automatic way back was safe (or the run was cancelled midway): read the summary. */
  needsAttention: 5,
  /** Another run holds this job: its lock is held, or an unfinished run is in the state file. */
  locked: 6,
  /** `plan`: the manifest differs from what runs (changes are pending). */
  changesPending: 7,
  /** A second Ctrl-C: exited at once; the run can be resumed from its state file. */
  interrupted: 130,
} as const

export function exitCodeForOutcome(outcome: Outcome): number {
  switch (outcome) {
    case 'upgraded':
    case 'dry-run':
    case 'awaiting-promotion':
      return EXIT.ok
    case 'rolled-back':
      return EXIT.rolledBack
    case 'aborted-blue-untouched':
      return EXIT.aborted
    default:
      return EXIT.needsAttention
  }
}

export const EXIT_CODE_HELP = `Exit codes:
  0    upgraded, dry run, awaiting promotion, rejected on request; other commands succeeded
  1    unexpected error (cluster unreachable, Flink error, file system)
  2    bad input (flags, environment, config file, state file, state store bucket or credentials); nothing was sent
  3    rolled back: green failed, blue runs again from the savepoint
  4    aborted, blue untouched (preflight refusal, failed savepoint, cancelled before any change)
  5    needs attention: read the summary for what runs and which savepoint to use
  6    locked: another run holds this job (lock file, or an unfinished run in the state file)
  7    plan: changes are pending (apply would change something)
  130  a second Ctrl-C: exited at once; resume the run with flink-deploy resume`
