import { join } from 'node:path'
import { cachedMavenClasspath } from '@flink-deploy/local-process'
import { CACHE_DIR, CLASSPATH_POM, KAFKA_VERSION } from './paths.ts'

let inFlight: Promise<string[]> | undefined

/**
 * The jars of the Kafka broker and clients (kafka_2.13 and its dependencies, log4j 2). Resolved once with Maven
 * into .cache/<version>/classpath.txt, then read from there (re-resolved if a cached jar left ~/.m2).
 */
export function resolveKafkaClasspath(): Promise<string[]> {
  inFlight ??= cachedMavenClasspath({
    pom: CLASSPATH_POM,
    properties: { 'kafka.version': KAFKA_VERSION },
    outputFile: join(CACHE_DIR, KAFKA_VERSION, 'classpath.txt'),
    what: `the Kafka ${KAFKA_VERSION} classpath`,
    expect: /kafka_2\.13-/,
  }).finally(() => {
    inFlight = undefined
  })
  return inFlight
}
