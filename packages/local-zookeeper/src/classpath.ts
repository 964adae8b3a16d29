import { join } from 'node:path'
import { cachedMavenClasspath } from '@flink-deploy/local-process'
import { CACHE_DIR, CLASSPATH_POM, ZOOKEEPER_VERSION } from './paths.ts'

let inFlight: Promise<string[]> | undefined

/**
 * The jars of the ZooKeeper server (zookeeper, jute, netty, metrics-core, snappy, slf4j, logback). Resolved once with Maven into
 * .cache/<version>/classpath.txt, then read from there (re-resolved if a cached jar left ~/.m2).
 */
export function resolveZooKeeperClasspath(): Promise<string[]> {
  inFlight ??= cachedMavenClasspath({
    pom: CLASSPATH_POM,
    properties: { 'zookeeper.version': ZOOKEEPER_VERSION },
    outputFile: join(CACHE_DIR, ZOOKEEPER_VERSION, 'classpath.txt'),
    what: `the ZooKeeper ${ZOOKEEPER_VERSION} classpath`,
    expect: /snappy-java-/,
  }).finally(() => {
    inFlight = undefined
  })
  return inFlight
}
