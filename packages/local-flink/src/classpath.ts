import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { cachedMavenClasspath } from '@flink-deploy/local-process'
import { CACHE_DIR, CLASSPATH_POM } from './paths.ts'
import { resolveFlinkVersion } from './versions.ts'

const inFlight = new Map<string, Promise<string[]>>()

/** Where the resolved classpath of `version` is cached: packages/local-flink/.cache/<version>/classpath.txt */
export function classpathFile(version: string): string {
  return join(CACHE_DIR, resolveFlinkVersion(version), 'classpath.txt')
}

/**
 * Returns the jar list of a Flink cluster classpath (flink-runtime-web, flink-clients, flink-streaming-java,
 * flink-connector-datagen, log4j 2 + slf4j 1.7 binding). Resolved once with Maven, then read from the cache
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
  await mkdir(join(CACHE_DIR, version), { recursive: true })
  return cachedMavenClasspath({
    pom: CLASSPATH_POM,
    properties: { 'flink.version': version },
    outputFile: classpathFile(version),
    what: `the Flink ${version} classpath`,
    expect: /flink-runtime-web-/,
    force,
  })
}
