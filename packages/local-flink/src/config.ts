/**
 * Flink configuration for a local loopback session cluster. Only `config.yaml` is written (standard YAML,
 * flat dotted keys): Flink 1.20 reads it when no flink-conf.yaml exists, 2.x reads only config.yaml.
 */

import { type S3Options, s3StateDirs } from './s3-options.ts'

/** JVM flags flink-dist puts in env.java.opts.all (needed on Java 17), plus -XX:+IgnoreUnrecognizedVMOptions. */
export const JAVA_17_OPTS: readonly string[] = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
]

/** log4j 2 config: everything to ${sys:log.file} (so the REST log endpoints find it), like flink-dist's log4j.properties. */
export const LOG4J_PROPERTIES = `# written by @flink-deploy/local-flink
monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = INFO
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = \${sys:log.file}
appender.main.filePattern = \${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 50MB
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 3
`

/** Quiet config for BashJavaUtils (its result lines go to stdout, logging must not). */
export const LOG4J_QUIET_PROPERTIES = `rootLogger.level = OFF
`

export interface ClusterPorts {
  rest: number
  jobManagerRpc: number
  blobServer: number
}

export interface ClusterDirs {
  work: string
  checkpoints: string
  savepoints: string
  webUpload: string
  tmp: string
}

/**
 * hashmap: state on the JVM heap, full snapshots (the default: cheapest for small test state).
 * rocksdb: state in embedded RocksDB with incremental checkpoints, as production runs large state.
 * forst: Flink 2.x's disaggregated backend (ForSt, a RocksDB fork), incremental; local working dir here.
 */
export type StateBackend = 'hashmap' | 'rocksdb' | 'forst'

export interface ConfigOptions {
  host: string
  ports: ClusterPorts
  dirs: ClusterDirs
  slots: number
  jobManagerMemory: string
  taskManagerMemory: string
  checkpointInterval: string
  /** fixed-delay restart attempts (1s delay); undefined = Flink default (exponential-delay, unbounded, when checkpointing) */
  restartAttempts: number | undefined
  /** default 'hashmap' */
  stateBackend?: StateBackend
  /** S3 file system settings and the id that keeps this cluster's objects apart from other clusters' */
  s3?: { options: S3Options; clusterId: string }
  /** ZooKeeper HA: the quorum, the HA storage folder and the cluster's id in both */
  ha?: { quorum: string; storageDir: string; clusterId: string }
  /** extra keys, override the defaults */
  extra: Record<string, string | number | boolean>
}

/** The config.yaml keys (flat). Exposed for tests/diagnostics. */
export function clusterConfig(o: ConfigOptions): Record<string, string | number | boolean> {
  const backend = o.stateBackend ?? 'hashmap'
  const file = (p: string) => `file://${p}`
  const conf: Record<string, string | number | boolean> = {
    'jobmanager.rpc.address': o.host,
    'jobmanager.rpc.port': o.ports.jobManagerRpc,
    'jobmanager.bind-host': o.host,
    'jobmanager.memory.process.size': o.jobManagerMemory,
    'taskmanager.host': o.host,
    'taskmanager.bind-host': o.host,
    'taskmanager.numberOfTaskSlots': o.slots,
    'taskmanager.memory.process.size': o.taskManagerMemory,
    // hashmap backend does not use managed memory: give the task heap more room; RocksDB and ForSt cache in it
    'taskmanager.memory.managed.fraction': backend === 'hashmap' ? 0.1 : 0.3,
    'blob.server.port': String(o.ports.blobServer),
    'rest.address': o.host,
    'rest.bind-address': o.host,
    'rest.port': o.ports.rest,
    'rest.async.store-duration': '30 min',
    'web.submit.enable': true,
    'web.cancel.enable': true,
    // jars land in <web.upload.dir>/flink-web-upload and survive a JobManager restart
    'web.upload.dir': o.dirs.webUpload,
    'io.tmp.dirs': o.dirs.tmp,
    'parallelism.default': 1,
    'state.backend.type': backend,
    'execution.checkpointing.incremental': backend !== 'hashmap',
    'execution.checkpointing.interval': o.checkpointInterval,
    'execution.checkpointing.dir': file(o.dirs.checkpoints),
    'execution.checkpointing.savepoint-dir': file(o.dirs.savepoints),
    'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    'execution.checkpointing.num-retained': 3,
    // REST metric values are cached by the JM's MetricFetcher (default 10 s): make them fresh for tests
    'metrics.fetcher.update-interval': 1000,
    // detect a killed TaskManager / JobManager quickly (defaults: 10 s / 50 s). The JM notices a dead TM after
    // heartbeat.rpc-failure-threshold (2) failed heartbeat RPCs (~2-4 s); a TM notices a dead JM only after the timeout.
    'heartbeat.interval': 1000,
    'heartbeat.timeout': 10000,
    // TaskManager reconnects quickly to a restarted JobManager (defaults 10 s / 30 s)
    'cluster.registration.error-delay': 1000,
    'cluster.registration.refused-registration-delay': 1000,
    'cluster.registration.max-timeout': 5000,
    'resourcemanager.taskmanager-timeout': 30000,
  }
  if (o.restartAttempts !== undefined) {
    conf['restart-strategy.type'] = 'fixed-delay'
    conf['restart-strategy.fixed-delay.attempts'] = o.restartAttempts
    conf['restart-strategy.fixed-delay.delay'] = '1 s'
  }
  return {
    ...conf,
    ...(o.s3 ? s3Config(o.s3.options, o.s3.clusterId) : {}),
    ...(o.ha ? haConfig(o.ha) : {}),
    ...o.extra,
  }
}

function haConfig(ha: NonNullable<ConfigOptions['ha']>): Record<string, string | number | boolean> {
  return {
    'high-availability.type': 'zookeeper',
    'high-availability.zookeeper.quorum': ha.quorum,
    'high-availability.storageDir': `file://${ha.storageDir}`,
    'high-availability.cluster-id': `/${ha.clusterId}`,
    // a killed JobManager's leader latch lives until its ZooKeeper session expires (default 60 s): the
    // restarted JobManager becomes leader only then
    'high-availability.zookeeper.client.session-timeout': 3000,
    'high-availability.zookeeper.client.connection-timeout': 3000,
    // Flink writes a JAAS file without a 'Client' section; with SASL on, the ZooKeeper client then fails its
    // authentication and drops every connection. The local server has no authentication.
    'zookeeper.sasl.disable': true,
  }
}

/**
 * Keys for flink-s3-fs-hadoop: it passes `s3.*` on to Hadoop's S3A as `fs.s3a.*` (s3.access-key and
 * s3.secret-key become fs.s3a.access.key / fs.s3a.secret.key). Flink hides keys containing "secret" in its
 * logs and REST API.
 */
function s3Config(s3: S3Options, clusterId: string): Record<string, string | number | boolean> {
  const conf: Record<string, string | number | boolean> = {
    's3.endpoint': s3.endpoint,
    // the signing region: S3A (Hadoop 3.3.4 on AWS SDK v1 in both the 1.20 and 2.x plugins) otherwise guesses it
    // from the endpoint's host name; moto accepts any, servers configured with a region do not
    's3.endpoint.region': s3.region ?? 'us-east-1',
    // loopback servers have no per-bucket host names
    's3.path.style.access': true,
    's3.access-key': s3.accessKey,
    's3.secret-key': s3.secretKey,
  }
  if (s3.bucket) {
    const dirs = s3StateDirs(s3.bucket, clusterId)
    conf['execution.checkpointing.dir'] = dirs.checkpoints
    conf['execution.checkpointing.savepoint-dir'] = dirs.savepoints
  }
  return conf
}

/** Renders flat keys as YAML (strings JSON-quoted, which is valid YAML). */
export function renderConfigYaml(conf: Record<string, string | number | boolean>): string {
  const lines = ['# written by @flink-deploy/local-flink']
  for (const [k, v] of Object.entries(conf)) {
    lines.push(`${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
  }
  return `${lines.join('\n')}\n`
}
