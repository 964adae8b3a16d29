import { access, mkdir, readFile, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { exec, lastLines, stripAnsi } from './exec.ts'

/** `mvn` (override with the MVN environment variable). */
export function mavenBinary(env: Record<string, string | undefined> = process.env): string {
  return env.MVN || 'mvn'
}

/**
 * Runs `mvn dependency:build-classpath` on `pom` and writes the jar list (colon-separated paths in ~/.m2) to
 * `outputFile` (its folder made if missing). Maven writes to a unique temp file that is renamed into place, so concurrent resolvers
 * (other processes) never read a half-written list.
 */
export async function mavenBuildClasspath(o: {
  pom: string
  properties: Record<string, string>
  outputFile: string
  /** what is resolved, for the error message, e.g. 'the Flink 2.3.0 classpath' */
  what: string
}): Promise<void> {
  await mkdir(dirname(o.outputFile), { recursive: true })
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

/**
 * The jar list of `pom`, cached in `outputFile`: read from there when every jar in it still exists and one
 * matches `expect` (a sign the list is whole), else resolved again with mavenBuildClasspath.
 */
export async function cachedMavenClasspath(o: {
  pom: string
  properties: Record<string, string>
  outputFile: string
  what: string
  /** a jar the list must contain, e.g. /flink-runtime-web-/ */
  expect: RegExp
  /** resolve again even when the cache is good */
  force?: boolean
}): Promise<string[]> {
  if (!o.force) {
    const cached = await readClasspath(o.outputFile, o.expect)
    if (cached) return cached
  }
  await mavenBuildClasspath(o)
  const jars = await readClasspath(o.outputFile, o.expect)
  if (!jars) throw new Error(`Maven wrote an unusable classpath to ${o.outputFile}`)
  return jars
}

async function readClasspath(file: string, expect: RegExp): Promise<string[] | undefined> {
  const jars = await readFile(file, 'utf8').then(
    (text) =>
      text
        .trim()
        .split(':')
        .filter((s) => s.length > 0),
    () => [],
  )
  if (!jars.some((j) => expect.test(j))) return undefined
  try {
    await Promise.all(jars.map((j) => access(j)))
  } catch {
    return undefined
  }
  return jars
}
