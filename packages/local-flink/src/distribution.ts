/**
 * What the binary distribution's lib/ holds (flink-<version>-bin-scala_2.12.tgz), as Maven artifacts: the local
 * cluster's classpath is resolved from this, so a job that runs on a real cluster runs on the local one.
 */
import { flinkMajor, resolveFlinkVersion } from './versions.ts'

export interface LibArtifact {
  groupId: string
  artifactId: string
  version: string
}

/** The jars in lib/ besides flink-dist, by artifact id (flink-scala left 2.x with Scala). */
const LIB_JARS: Record<1 | 2, readonly string[]> = {
  1: [
    'flink-cep',
    'flink-connector-files',
    'flink-csv',
    'flink-json',
    'flink-scala_2.12',
    'flink-table-api-java-uber',
    'flink-table-planner-loader',
    'flink-table-runtime',
  ],
  2: [
    'flink-cep',
    'flink-connector-files',
    'flink-csv',
    'flink-json',
    'flink-table-api-java-uber',
    'flink-table-planner-loader',
    'flink-table-runtime',
  ],
}

/**
 * flink-dist's fat jar is not published to Maven Central: the modules it bundles for a session cluster
 * (the JobManager's REST endpoint with the /jars handlers, the DataStream runtime, the RocksDB state backend,
 * and ForSt from 2.0 on) stand in for it.
 */
const FLINK_DIST_MODULES: Record<1 | 2, readonly string[]> = {
  1: [
    'flink-runtime-web',
    'flink-clients',
    'flink-streaming-java',
    'flink-connector-datagen',
    'flink-statebackend-rocksdb',
  ],
  2: [
    'flink-runtime-web',
    'flink-clients',
    'flink-streaming-java',
    'flink-connector-datagen',
    'flink-statebackend-rocksdb',
    'flink-statebackend-forst',
  ],
}

/** lib/'s logging: log4j 2 with the slf4j 1.7 binding (Flink 1.20 and 2.x use slf4j-api 1.7.36). */
const LOG4J_JARS: readonly string[] = ['log4j-1.2-api', 'log4j-api', 'log4j-core', 'log4j-slf4j-impl']
const LOG4J_VERSION = '2.24.3'

/**
 * Releases Maven Central lacks for some artifacts: the newest patch release of the same minor it has
 * (1.20.5 was published without these jars).
 */
const PINNED: Record<string, Record<string, string>> = {
  '1.20.5': {
    'flink-csv': '1.20.3',
    'flink-scala_2.12': '1.20.4',
    'flink-table-api-java-uber': '1.20.0',
    'flink-table-planner-loader': '1.20.3',
    'flink-table-runtime': '1.20.4',
  },
}

/** Artifact ids of the jars in the distribution's lib/ (flink-dist included), as the tgz names them. */
export function distributionLibArtifactIds(version: string): string[] {
  const major = flinkMajor(version) < 2 ? 1 : 2
  return ['flink-dist', ...LIB_JARS[major], ...LOG4J_JARS].sort()
}

/** The Maven artifacts of the local cluster's classpath: lib/ with flink-dist replaced by its modules. */
export function distributionArtifacts(version: string): LibArtifact[] {
  const full = resolveFlinkVersion(version)
  const pins = PINNED[full] ?? {}
  const flink = (artifactId: string) => ({
    groupId: 'org.apache.flink',
    artifactId,
    version: pins[artifactId] ?? full,
  })
  const lib = distributionLibArtifactIds(full).filter((a) => a !== 'flink-dist')
  return [
    // first, so that Maven settles shared dependencies (flink-core, …) on their version, not on a pinned one's
    ...FLINK_DIST_MODULES[flinkMajor(full) < 2 ? 1 : 2].map(flink),
    ...lib.filter((a) => !LOG4J_JARS.includes(a)).map(flink),
    ...LOG4J_JARS.map((artifactId) => ({
      groupId: 'org.apache.logging.log4j',
      artifactId,
      version: LOG4J_VERSION,
    })),
  ]
}

/** A pom whose dependencies are the classpath (`mvn dependency:build-classpath` resolves it). */
export function distributionPom(version: string): string {
  const deps = distributionArtifacts(version).map(
    (a) =>
      `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId>` +
      `<version>${a.version}</version></dependency>`,
  )
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- written by @flink-deploy/local-flink from src/distribution.ts -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.flink-deploy</groupId>
  <artifactId>local-flink-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps.join('\n')}
  </dependencies>
</project>
`
}
