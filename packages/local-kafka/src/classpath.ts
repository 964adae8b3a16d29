import { access, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mavenBuildClasspath } from '@flink-deploy/local-process'
import { CACHE_DIR, CLASSPATH_POM, KAFKA_VERSION } from './paths.ts'

let inFlight: Promise<string[]> | undefined

/**
 * The jars of the Kafka broker and clients (kafka_2.13 and its dependencies, log4j 2). Resolved once with Maven
 * into .cache/<version>/classpath.txt, then read from there (re-resolved if a cached jar left ~/.m2).
 */
export function resolveKafkaClasspath(): Promise<string[]> {
  inFlight ??= doResolve().finally(() => {
    inFlight = undefined
  })
  return inFlight
}

async function doResolve(): Promise<string[]> {
  const file = join(CACHE_DIR, KAFKA_VERSION, 'classpath.txt')
  const cached = await readCached(file)
  if (cached) return cached
  await mkdir(join(CACHE_DIR, KAFKA_VERSION), { recursive: true })
  await mavenBuildClasspath({
    pom: CLASSPATH_POM,
    properties: { 'kafka.version': KAFKA_VERSION },
    outputFile: file,
    what: `the Kafka ${KAFKA_VERSION} classpath`,
  })
  const jars = await readCached(file)
  if (!jars) throw new Error(`Maven wrote an unusable classpath to ${file}`)
  return jars
}

async function readCached(file: string): Promise<string[] | undefined> {
  const jars = await readFile(file, 'utf8').then(
    (text) =>
      text
        .trim()
        .split(':')
        .filter((s) => s.length > 0),
    () => [],
  )
  if (!jars.some((j) => /kafka_2\.13-/.test(j))) return undefined
  try {
    await Promise.all(jars.map((j) => access(j)))
  } catch {
    return undefined
  }
  return jars
}
