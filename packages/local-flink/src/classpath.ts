import { access, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mavenBuildClasspath } from './maven.ts'
import { CACHE_DIR, CLASSPATH_POM } from './paths.ts'
import { flinkMajor, resolveFlinkVersion } from './versions.ts'

const inFlight = new Map<string, Promise<string[]>>()

/** Where the resolved classpath of `version` is cached: packages/local-flink/.cache/<version>/classpath.txt */
export function classpathFile(version: string): string {
  return join(CACHE_DIR, resolveFlinkVersion(version), 'classpath.txt')
}

/**
 * Returns the jar list of a Flink cluster classpath (flink-runtime-web, flink-clients, flink-streaming-java,
 * flink-connector-datagen, the RocksDB backend (and ForSt on 2.x), log4j 2 + slf4j 1.7 binding). Resolved once with Maven, then read from the cache
 * (re-resolved if a cached jar disappeared from ~/.m2).
 */
export function resolveClasspath(version: string, options: { force?: boolean } = {}): Promise<string[]> {
  const full = resolveFlinkVersion(version)
  const pending = inFlight.get(full)
  if (pending && !options.force) return pending
  const p = doResolve(full, options.force ?? false).finally(() => inFlight.delete(full))
  inFlight.set(full, p)
  return p
}

async function doResolve(version: string, force: boolean): Promise<string[]> {
  const file = classpathFile(version)
  if (!force) {
    const cached = await readCached(file)
    if (cached) return cached
  }
  await mkdir(join(CACHE_DIR, version), { recursive: true })
  await mavenBuildClasspath({
    pom: CLASSPATH_POM,
    // the pom's forst profile: ForSt exists from Flink 2.0 on
    properties: { 'flink.version': version, ...(flinkMajor(version) >= 2 ? { 'with.forst': 'true' } : {}) },
    outputFile: file,
    what: `the Flink ${version} classpath`,
  })
  const jars = await readCached(file)
  if (!jars) throw new Error(`Maven wrote an unusable classpath to ${file}`)
  return jars
}

async function readCached(file: string): Promise<string[] | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  const jars = text
    .trim()
    .split(':')
    .filter((s) => s.length > 0)
  // a list cached before the pom gained the RocksDB backend is resolved again
  const needed = [/flink-runtime-web-/, /flink-statebackend-rocksdb-/]
  if (!needed.every((n) => jars.some((j) => n.test(j)))) return undefined
  try {
    await Promise.all(jars.map((j) => access(j)))
  } catch {
    return undefined
  }
  return jars
}
