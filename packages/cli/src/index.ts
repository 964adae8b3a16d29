/**
 * @flink-deploy/cli: the `flink-deploy` command. `main(argv, io)` runs it programmatically and resolves
 * to the exit code; `bin.ts` runs it for the process.
 */
export { main, parseCommandLine } from './cli.ts'
export { EXIT, exitCodeForOutcome } from './exit-codes.ts'
export type { Io, OutputStream } from './io.ts'
