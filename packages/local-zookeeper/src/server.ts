/**
 * A real standalone Apache ZooKeeper server on loopback, the HA store Flink's JobManagers elect a leader in and
 * find their jobs through. One node, data on disk in a temp folder; the admin HTTP server is off.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePorts, jdkBinary, spawnWatched, superviseLocalServer } from '@flink-deploy/local-process'
import { resolveZooKeeperClasspath } from './classpath.ts'
import { ZOOKEEPER_VERSION } from './paths.ts'

const HOST = '127.0.0.1'
const MAIN = 'org.apache.zookeeper.server.ZooKeeperServerMain'

export interface StartZooKeeperOptions {
  /** how long to wait for the server to serve, after the classpath is resolved (default 60 000 ms) */
  startTimeoutMs?: number
  /** progress messages (default: none) */
  log?: (message: string) => void
}

export interface ZooKeeperServer {
  /** the connect string for clients (Flink's high-availability.zookeeper.quorum), e.g. 127.0.0.1:41234 */
  quorum: string
  pid: number
  /** zoo.cfg, data/, zookeeper.log */
  workDir: string
  logFile: string
  /** SIGTERM (SIGKILL after 10 s), then removes the work folder unless the server had died. Safe to call twice. */
  stop(): Promise<void>
}

/** Starts a standalone ZooKeeper server on a free loopback port and waits until it answers `ruok` with `imok`. */
export async function startZooKeeper(options: StartZooKeeperOptions = {}): Promise<ZooKeeperServer> {
  const log = options.log ?? (() => {})
  const classpath = (await resolveZooKeeperClasspath()).join(':')
  const workDir = await mkdtemp(join(tmpdir(), 'local-zookeeper-'))
  const [port] = (await findFreePorts(1, HOST)) as [number]
  const quorum = `${HOST}:${port}`
  const logFile = join(workDir, 'zookeeper.log')
  const config = join(workDir, 'zoo.cfg')
  const logback = join(workDir, 'logback.xml')
  const t0 = Date.now()
  await writeFile(config, zooCfg(workDir, port))
  await writeFile(logback, LOGBACK)
  const proc = spawnWatched({
    name: 'zookeeper',
    command: jdkBinary('java'),
    args: [
      '-Xms32m',
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      `-Dlogback.configurationFile=${logback}`,
      // ZooKeeper refuses four-letter words unless listed; the readiness check sends `ruok`
      '-Dzookeeper.4lw.commands.whitelist=ruok,srvr',
      '-cp',
      classpath,
      MAIN,
      config,
    ],
    outFile: logFile,
  })
  const server = await superviseLocalServer({
    label: 'ZooKeeper',
    proc,
    logFile,
    ports: [port],
    workDir,
    timeoutMs: options.startTimeoutMs ?? 60_000,
    ready: async () => (await fourLetterWord(port, 'ruok')) === 'imok',
    // a server whose main thread died (e.g. a missing class while loading its data) still answers `ruok`
    failed: async () =>
      / ERROR /.test(await readFile(logFile, 'utf8').catch(() => '')) ? 'failed while starting' : undefined,
  })
  log(`ZooKeeper ${ZOOKEEPER_VERSION} ready at ${quorum} after ${Date.now() - t0} ms (pid ${proc.pid})`)
  return { quorum, pid: proc.pid, workDir, logFile, stop: server.stop }
}

function zooCfg(workDir: string, port: number): string {
  const settings: Record<string, string | number> = {
    tickTime: 500,
    dataDir: join(workDir, 'data'),
    clientPort: port,
    clientPortAddress: HOST,
    maxClientCnxns: 0,
    'admin.enableServer': 'false',
    // sessions of killed JobManagers expire soon (minSessionTimeout = 2 ticks), so a new leader is elected fast
    minSessionTimeout: 1000,
  }
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`
}

const LOGBACK = `<configuration>
  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>[%d] %level %msg \\(%logger\\)%n</pattern></encoder>
  </appender>
  <logger name="org.apache.zookeeper.server.ZooKeeperServer" level="INFO"/>
  <root level="WARN"><appender-ref ref="out"/></root>
</configuration>
`

/** Sends a four-letter word and returns the reply ('' when the server does not answer). */
function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port })
    let reply = ''
    socket.setTimeout(2000, () => socket.destroy())
    socket.once('connect', () => socket.write(word))
    socket.on('data', (d) => {
      reply += d.toString('utf8')
    })
    socket.once('close', () => resolve(reply.trim()))
    socket.once('error', () => resolve(''))
  })
}
