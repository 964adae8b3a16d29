import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cachedMavenClasspath } from '@flink-deploy/local-process'
import { distributionPom } from './distribution.ts'
import { CACHE_DIR } from './paths.ts'
import { resolveFlinkVersion } from './versions.ts'

const inFlight = new Map<string, Promise<string[]>>()

/** Where the resolved classpath of `version` is cached: packages/local-flink/.cache/<version>/classpath.txt */
export function classpathFile(version: string): string {
  return join(CACHE_DIR, resolveFlinkVersion(version), 'classpath.txt')
}

/**
 * Returns the jar list of a Flink cluster classpath: what the binary distribution's lib/ holds (see
 * distribution.ts). Resolved once with Maven, then read from the cache (re-resolved if a cached jar
 * disappeared from ~/.m2).
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
  const dir = join(CACHE_DIR, version)
  await mkdir(dir, { recursive: true })
  const pom = join(dir, 'pom.xml')
  await writeFile(pom, distributionPom(version))
  return cachedMavenClasspath({
    pom,
    properties: {},
    outputFile: classpathFile(version),
    what: `the Flink ${version} classpath`,
    // a list from before lib/'s jars and flink-dist's state backends were added lacks it: resolved again
    expect: /flink-statebackend-rocksdb-/,
    force,
  })
}
