import { access, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { mavenBuildClasspath } from '@flink-deploy/local-process'
import { CACHE_DIR, S3_PLUGIN_POM } from './paths.ts'
import { resolveFlinkVersion } from './versions.ts'

const inFlight = new Map<string, Promise<string>>()

/**
 * Returns the path (in ~/.m2) of Flink's S3 file system plugin for a cluster of `version`: the newest
 * org.apache.flink:flink-s3-fs-hadoop of the same minor version that is not newer than the cluster (see
 * maven/s3-plugin.pom.xml). Resolved once with Maven, then read from .cache/<version>/s3-plugin.txt.
 */
export function resolveS3Plugin(version: string): Promise<string> {
  const full = resolveFlinkVersion(version)
  const pending = inFlight.get(full)
  if (pending) return pending
  const p = doResolve(full).finally(() => inFlight.delete(full))
  inFlight.set(full, p)
  return p
}

async function doResolve(version: string): Promise<string> {
  const file = join(CACHE_DIR, version, 's3-plugin.txt')
  const cached = await readCached(file)
  if (cached) return cached
  const minor = version.split('.').slice(0, 2).join('.')
  await mavenBuildClasspath({
    pom: S3_PLUGIN_POM,
    properties: { 'flink.version': version, 'flink.minor': minor },
    outputFile: file,
    what: `flink-s3-fs-hadoop [${minor}.0,${version}] (Flink's S3 plugin)`,
  })
  const jar = await readCached(file)
  if (!jar) throw new Error(`Maven wrote no flink-s3-fs-hadoop jar to ${file}`)
  return jar
}

async function readCached(file: string): Promise<string | undefined> {
  const jars = (await readFile(file, 'utf8').catch(() => '')).trim().split(':')
  const jar = jars.find((j) => /^flink-s3-fs-hadoop-.+\.jar$/.test(basename(j)))
  if (jars.length !== 1 || !jar) return undefined
  return access(jar).then(
    () => jar,
    () => undefined,
  )
}
