import { rename, rm } from 'node:fs/promises'
import { exec, lastLines, stripAnsi } from './exec.ts'

/** `mvn` (override with the MVN environment variable). */
export function mavenBinary(env: Record<string, string | undefined> = process.env): string {
  return env.MVN || 'mvn'
}

/**
 * Runs `mvn dependency:build-classpath` on `pom` and writes the jar list (colon-separated paths in ~/.m2) to
 * `outputFile`. Maven writes to a unique temp file that is renamed into place, so concurrent resolvers
 * (other processes) never read a half-written list.
 */
export async function mavenBuildClasspath(o: {
  pom: string
  properties: Record<string, string>
  outputFile: string
  /** what is resolved, for the error message, e.g. 'the Flink 2.3.0 classpath' */
  what: string
}): Promise<void> {
  const tmp = `${o.outputFile}.${process.pid}.${Date.now()}.tmp`
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    o.pom,
    'dependency:build-classpath',
    ...Object.entries(o.properties).map(([k, v]) => `-D${k}=${v}`),
    `-Dmdep.outputFile=${tmp}`,
  ]
  const res = await exec(mavenBinary(), args, { timeoutMs: 15 * 60_000 })
  if (res.code !== 0) {
    await rm(tmp, { force: true })
    throw new Error(
      `Resolving ${o.what} failed (mvn ${args.join(' ')} exited ${res.code ?? res.signal}):\n` +
        lastLines(stripAnsi(res.output), 40),
    )
  }
  await rename(tmp, o.outputFile)
}
