/** Runs the single executable as a pipeline without Node would, for its tests (fake and real Flink). */
import { exec } from '@flink-deploy/local-process'
import type { CliRun } from '../test-kit.ts'

/** The platform the executable is built for. */
export const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64'

/** Asynchronously (a fake Flink may answer from this process), with no Node on PATH. */
export function runExecutable(
  exe: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliRun> {
  return exec(exe, args, { cwd, env: { PATH: '/nonexistent', NO_COLOR: '1', ...env } })
}
