import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The Apache Kafka release the broker and the ledger's clients run (org.apache.kafka:kafka_2.13 on Maven Central). */
export const KAFKA_VERSION = '4.1.1'
/** packages/local-kafka */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
/** packages/local-kafka/.cache (gitignored): resolved classpath, compiled ledger, CLI state */
export const CACHE_DIR = join(PACKAGE_DIR, '.cache')
/** packages/local-kafka/maven/pom.xml: the classpath builder */
export const CLASSPATH_POM = join(PACKAGE_DIR, 'maven', 'pom.xml')
/** packages/local-kafka/java/Ledger.java */
export const LEDGER_SOURCE = join(PACKAGE_DIR, 'java', 'Ledger.java')
