export { classpathFile, resolveClasspath } from './classpath.ts'
export type { FlinkCluster, FlinkClusterInfo, StartFlinkClusterOptions } from './cluster.ts'
export { startFlinkCluster } from './cluster.ts'
export type { ClusterPorts, StateBackend } from './config.ts'
export { JAVA_17_OPTS } from './config.ts'
export { buildExampleJob, EXAMPLE_JOB, EXAMPLE_JOB_ENTRY_CLASS, exampleJobJarPath } from './example-job.ts'
export type { HaOptions } from './ha-options.ts'
export type { RestSslOptions } from './rest-ssl.ts'
export type { S3Options } from './s3-options.ts'
export type { TestCertificates } from './test-certificates.ts'
export { makeTestCertificates } from './test-certificates.ts'
export type { FlinkMinor } from './versions.ts'
export {
  DEFAULT_FLINK_VERSION,
  FLINK_VERSIONS,
  flinkMajor,
  resolveFlinkVersion,
  selectedFlinkVersions,
} from './versions.ts'
