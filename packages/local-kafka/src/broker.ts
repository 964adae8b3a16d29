/**
 * A real single-node Apache Kafka broker (KRaft: broker and controller in one JVM) on loopback for tests, the
 * demo and the bench. Replication factor 1 and min ISR 1 for the internal topics (offsets, transaction state),
 * and a transaction timeout ceiling above Flink's KafkaSink default (1 h), so exactly-once sinks start.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  acceptsConnections,
  exec,
  findFreePorts,
  jdkBinary,
  lastLines,
  releasePorts,
  spawnWatched,
  superviseLocalServer,
} from '@flink-deploy/local-process'
import { resolveKafkaClasspath } from './classpath.ts'
import { KAFKA_VERSION } from './paths.ts'

const HOST = '127.0.0.1'
const NODE_ID = 1

export interface StartKafkaBrokerOptions {
  /** how long to wait for the broker to start, after the classpath is resolved (default 120 000 ms) */
  startTimeoutMs?: number
  /** the broker outlives this Node process (CLI `up`): no exit handlers, no watchdog */
  detached?: boolean
  /** progress messages (default: none) */
  log?: (message: string) => void
}

export interface KafkaBroker {
  /** bootstrap.servers for clients, e.g. 127.0.0.1:41234 */
  bootstrap: string
  pid: number
  /** the broker's work folder: server.properties, data/, broker.log */
  workDir: string
  logFile: string
  /** SIGTERM (SIGKILL after 10 s), then removes the work folder unless the broker had died. Safe to call twice. */
  stop(): Promise<void>
}

/** Formats a fresh KRaft log directory and starts the broker on two free loopback ports; waits until it serves. */
export async function startKafkaBroker(options: StartKafkaBrokerOptions = {}): Promise<KafkaBroker> {
  const log = options.log ?? (() => {})
  const classpath = (await resolveKafkaClasspath()).join(':')
  const workDir = await mkdtemp(join(tmpdir(), 'local-kafka-'))
  const [brokerPort, controllerPort] = (await findFreePorts(2, HOST)) as [number, number]
  const bootstrap = `${HOST}:${brokerPort}`
  const logFile = join(workDir, 'broker.log')
  const properties = join(workDir, 'server.properties')
  const t0 = Date.now()
  await writeFile(properties, serverProperties(workDir, brokerPort, controllerPort))
  await writeFile(join(workDir, 'log4j2.properties'), LOG4J2)
  const jvm = [`-Dlog4j2.configurationFile=${join(workDir, 'log4j2.properties')}`, '-cp', classpath]
  const format = await exec(
    jdkBinary('java'),
    [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', properties],
    { timeoutMs: 120_000 },
  )
  if (format.code !== 0) {
    releasePorts([brokerPort, controllerPort])
    throw new Error(`Formatting the Kafka log directory failed:\n${lastLines(format.output, 30)}`)
  }
  const proc = spawnWatched({
    name: 'kafka broker',
    command: jdkBinary('java'),
    args: ['-Xms128m', '-Xmx512m', '-XX:TieredStopAtLevel=1', ...jvm, 'kafka.Kafka', properties],
    outFile: logFile,
    detached: options.detached,
  })
  const server = await superviseLocalServer({
    label: 'The Kafka broker',
    proc,
    logFile,
    ports: [brokerPort, controllerPort],
    workDir,
    timeoutMs: options.startTimeoutMs ?? 120_000,
    ready: async () =>
      (await readFile(logFile, 'utf8').catch(() => '')).includes('Kafka Server started') &&
      (await acceptsConnections(HOST, brokerPort)),
  })
  log(`Kafka ${KAFKA_VERSION} broker ready at ${bootstrap} after ${Date.now() - t0} ms (pid ${proc.pid})`)
  return { bootstrap, pid: proc.pid, workDir, logFile, stop: server.stop }
}

function serverProperties(workDir: string, brokerPort: number, controllerPort: number): string {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': NODE_ID,
    'controller.quorum.voters': `${NODE_ID}@${HOST}:${controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${brokerPort},CONTROLLER://${HOST}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${brokerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(workDir, 'data'),
    'auto.create.topics.enable': 'false',
    'num.partitions': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // KafkaSink's EXACTLY_ONCE producers ask for transaction.timeout.ms 1 h; the broker default ceiling is 15 min
    'transaction.max.timeout.ms': 3_600_000,
    'group.initial.rebalance.delay.ms': 0,
  }
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`
}

const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.kafka.name = kafka
logger.kafka.level = warn
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
logger.apache.name = org.apache.kafka
logger.apache.level = warn
`

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding, not starting with '-' (the storage tool would
 * read it as an option; Kafka's own Uuid.randomUuid() skips those too).
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}
