import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import {
  exec,
  findFreePorts,
  jdkBinary,
  lastLines,
  releasePorts,
  spawnWatched,
  stopProcess,
  tailFile,
  type WatchedProcess,
} from '@flink-deploy/local-process'
import { resolveClasspath } from './classpath.ts'
import {
  type ClusterDirs,
  type ClusterPorts,
  clusterConfig,
  JAVA_17_OPTS,
  LOG4J_PROPERTIES,
  LOG4J_QUIET_PROPERTIES,
  renderConfigYaml,
  type StateBackend,
} from './config.ts'
import type { HaOptions } from './ha-options.ts'
import { getJsonOverTls, type RestSslOptions, restSslConfig } from './rest-ssl.ts'
import { assertS3Options, type S3Options, s3StateDirs } from './s3-options.ts'
import { resolveS3Plugin } from './s3-plugin.ts'
import { flinkMajor, resolveFlinkVersion } from './versions.ts'

const JM_MAIN = 'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint'
const TM_MAIN = 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner'
const BASH_JAVA_UTILS = 'org.apache.flink.runtime.util.bash.BashJavaUtils'
const HOST = '127.0.0.1'

export interface StartFlinkClusterOptions {
  /** '1.20', '2.3' or a full version; default DEFAULT_FLINK_VERSION */
  version?: string
  /** task slots of the TaskManager (default 4) */
  slots?: number
  /** jobmanager.memory.process.size (default 1024m) */
  jobManagerMemory?: string
  /** taskmanager.memory.process.size (default 1728m) */
  taskManagerMemory?: string
  /** execution.checkpointing.interval (default '2 s') */
  checkpointInterval?: string
  /**
   * Cluster-wide restart strategy: fixed-delay with this many attempts and 1 s delay (default 2), so a failing job
   * reaches FAILED quickly. `null` keeps Flink's default (exponential-delay, unbounded, when checkpointing is on).
   */
  restartAttempts?: number | null
  /**
   * state.backend.type (default 'hashmap'). 'rocksdb' and 'forst' also turn on incremental checkpoints and give
   * managed memory 30 % of the TaskManager's Flink memory; 'forst' needs Flink 2.x.
   */
  stateBackend?: StateBackend
  /**
   * Turns on Flink's S3 file system (s3:// paths): flink-s3-fs-hadoop of the cluster's version is resolved from
   * Maven Central (cached) into <workDir>/plugins/s3-fs-hadoop/ (FLINK_PLUGINS_DIR of both JVMs) and s3.* keys
   * point it at `endpoint`, path-style. With `bucket`, checkpoints and savepoints default to
   * s3://<bucket>/checkpoints/<cluster id> and s3://<bucket>/savepoints/<cluster id>.
   */
  s3?: S3Options
  /**
   * REST over TLS with client authentication (security.ssl.rest.*): the cluster's url becomes
   * https://<restSsl.host ?? 'localhost'>:<port>, and local-flink's own checks present restSsl.client.
   */
  restSsl?: RestSslOptions
  /**
   * JobManager high availability in ZooKeeper (e.g. a server of @flink-deploy/local-zookeeper): the JobManager
   * stores its jobs in <workDir>/ha, so one killed and started again recovers them. Default: no HA.
   */
  ha?: HaOptions
  /** extra config.yaml keys (override the defaults) */
  config?: Record<string, string | number | boolean>
  /**
   * extra JVM flags for the JobManager and TaskManager JVMs. Default ['-XX:TieredStopAtLevel=1']
   * (C1 only: faster start-up on small machines; the example job needs little throughput). Pass [] for none.
   */
  jvmOptions?: string[]
  /** parent folder of the per-cluster work dir (default os.tmpdir()) */
  baseDir?: string
  /** keep the work dir on stop() (also: env FLINK_KEEP_WORKDIR=1). It is always kept when something failed. */
  keepWorkDir?: boolean
  /** readiness timeout in ms (default 120 000) */
  startTimeoutMs?: number
  /** JVMs outlive this Node process (no exit handlers/watchdog). For the CLI `up` command. */
  detached?: boolean
  /** progress messages (default: none) */
  log?: (message: string) => void
}

export interface FlinkClusterInfo {
  /** REST base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string
  /** full Flink version, e.g. '2.3.0' */
  version: string
  /** per-cluster temp folder: conf/, log/, checkpoints/, savepoints/, web-upload/, tmp/ (+ plugins/ with s3) */
  workDir: string
  configDir: string
  logDir: string
  /**
   * execution.checkpointing.dir: a local path (config uses file://<path>), or with the s3 option and a bucket
   * the URI s3://<bucket>/checkpoints/<cluster id>
   */
  checkpointDir: string
  /**
   * execution.checkpointing.savepoint-dir: a local path (config uses file://<path>), or with the s3 option and
   * a bucket the URI s3://<bucket>/savepoints/<cluster id>
   */
  savepointDir: string
  /** FLINK_PLUGINS_DIR of the JVMs when the s3 option is on (set it too when running Flink's CLI) */
  pluginsDir: string | undefined
  /** web.upload.dir; uploaded jars are in <uploadDir>/flink-web-upload */
  uploadDir: string
  ports: ClusterPorts
  /** the cluster classpath (e.g. to run org.apache.flink.client.cli.CliFrontend with FLINK_CONF_DIR=configDir) */
  classpath: string[]
}

export interface FlinkCluster extends FlinkClusterInfo {
  jobManagerPid(): number | undefined
  taskManagerPids(): number[]
  /**
   * Stops exactly the JVMs started here (SIGTERM, SIGKILL after graceMs) and removes the work dir unless
   * keepWorkDir (option, start option, FLINK_KEEP_WORKDIR=1) or a JVM died unexpectedly.
   */
  stop(options?: { keepWorkDir?: boolean; graceMs?: number }): Promise<{ workDir: string; kept: boolean }>
  /**
   * Kills the JobManager (SIGKILL by default = crash; 'SIGTERM' = orderly shutdown) and starts it again on the
   * same ports, then waits until it is ready again with a registered TaskManager. Without HA running jobs are
   * lost (their retained checkpoints stay on disk); with HA the new JobManager recovers them. Uploaded jars
   * survive (web.upload.dir).
   */
  restartJobManager(options?: { signal?: NodeJS.Signals }): Promise<void>
  /** Kills the JobManager (SIGKILL by default) and returns once the process is gone: the REST port is closed. */
  killJobManager(options?: { signal?: NodeJS.Signals }): Promise<void>
  /**
   * Starts the JobManager again (after killJobManager) on the same ports and waits until it is ready with a
   * registered TaskManager. Returns the milliseconds that took.
   */
  startJobManager(): Promise<number>
  /** high-availability.cluster-id with the ha option: the cluster's folder in ZooKeeper and the HA storage */
  haClusterId: string | undefined
  /** high-availability.storageDir with the ha option (a local path; the config uses file://<path>) */
  haStorageDir: string | undefined
  /**
   * Kills all running TaskManagers (SIGKILL by default). With waitForDetection the call returns once the
   * JobManager no longer lists them (typically 2-4 s: failed heartbeat RPCs).
   */
  killTaskManager(options?: { signal?: NodeJS.Signals; waitForDetection?: boolean }): Promise<void>
  /** Starts one more TaskManager and waits until the JobManager lists it. Returns its resource id. */
  startTaskManager(): Promise<string>
  /** Last lines of every log/.out file of the cluster, each under a header. */
  logTail(lines?: number): Promise<string>
}

interface ResourceParams {
  jvm: string[]
  dynamic: string[]
}

class StartError extends Error {
  bindFailure = false
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function getJson(url: string, restSsl: RestSslOptions | undefined, timeoutMs = 3000): Promise<unknown> {
  if (restSsl) return getJsonOverTls(url, restSsl, timeoutMs)
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}`)
  return res.json()
}

/** Starts a real Flink session cluster (one JobManager JVM + one TaskManager JVM) on 127.0.0.1. */
export async function startFlinkCluster(options: StartFlinkClusterOptions = {}): Promise<FlinkCluster> {
  const version = resolveFlinkVersion(options.version)
  if (options.stateBackend === 'forst' && flinkMajor(version) < 2) {
    throw new Error(`stateBackend 'forst' needs Flink 2.x; Flink ${version} has no ForSt backend`)
  }
  if (options.s3) assertS3Options(options.s3)
  const log = options.log ?? (() => {})
  const [classpath, s3Plugin] = await Promise.all([
    resolveClasspath(version),
    options.s3 ? resolveS3Plugin(version) : undefined,
  ])
  const workDir = await mkdtemp(join(options.baseDir ?? tmpdir(), `flink-${version}-`))
  let lastError: unknown
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startIn(workDir, version, classpath, s3Plugin, options, log)
    } catch (e) {
      lastError = e
      if (!(e instanceof StartError && e.bindFailure) || attempt === 3) break
      log(`BindException (port taken meanwhile?), retrying with new ports (attempt ${attempt + 1} of 3)`)
    }
  }
  throw lastError
}

async function startIn(
  workDir: string,
  version: string,
  classpath: string[],
  s3Plugin: string | undefined,
  options: StartFlinkClusterOptions,
  log: (m: string) => void,
): Promise<FlinkCluster> {
  const t0 = Date.now()
  const java = jdkBinary('java')
  const cp = classpath.join(':')
  const dirs: ClusterDirs = {
    work: workDir,
    checkpoints: join(workDir, 'checkpoints'),
    savepoints: join(workDir, 'savepoints'),
    webUpload: join(workDir, 'web-upload'),
    tmp: join(workDir, 'tmp'),
  }
  const configDir = join(workDir, 'conf')
  const logDir = join(workDir, 'log')
  for (const d of [configDir, logDir, dirs.checkpoints, dirs.savepoints, dirs.webUpload, dirs.tmp]) {
    await mkdir(d, { recursive: true })
  }
  const pluginsDir = s3Plugin ? await installPlugin(workDir, 's3-fs-hadoop', s3Plugin) : undefined
  // the work dir's name is unique on this machine: it keeps this cluster's objects apart in a shared bucket
  const clusterId = basename(workDir)
  const haStorageDir = options.ha ? join(workDir, 'ha') : undefined
  const [rest, jobManagerRpc, blobServer] = (await findFreePorts(3, HOST)) as [number, number, number]
  const ports: ClusterPorts = { rest, jobManagerRpc, blobServer }
  const conf = clusterConfig({
    host: HOST,
    ports,
    dirs,
    slots: options.slots ?? 4,
    jobManagerMemory: options.jobManagerMemory ?? '1024m',
    taskManagerMemory: options.taskManagerMemory ?? '1728m',
    checkpointInterval: options.checkpointInterval ?? '2 s',
    restartAttempts: options.restartAttempts === null ? undefined : (options.restartAttempts ?? 2),
    stateBackend: options.stateBackend,
    s3: options.s3 ? { options: options.s3, clusterId } : undefined,
    ha:
      options.ha && haStorageDir
        ? { quorum: options.ha.quorum, storageDir: haStorageDir, clusterId }
        : undefined,
    extra: { ...(options.restSsl ? restSslConfig(options.restSsl) : {}), ...options.config },
  })
  await writeFile(join(configDir, 'config.yaml'), renderConfigYaml(conf))
  await writeFile(join(configDir, 'log4j.properties'), LOG4J_PROPERTIES)
  await writeFile(join(configDir, 'log4j-quiet.properties'), LOG4J_QUIET_PROPERTIES)
  // flink-dist also has these names; the CLI (CliFrontend) looks for log4j-cli.properties
  await writeFile(join(configDir, 'log4j-console.properties'), LOG4J_PROPERTIES)
  await writeFile(join(configDir, 'log4j-cli.properties'), LOG4J_PROPERTIES)

  const bashJavaUtils = async (command: string): Promise<ResourceParams> => {
    const res = await exec(
      java,
      [
        ...JAVA_17_OPTS,
        '-XX:TieredStopAtLevel=1',
        '-Xshare:auto',
        `-Dlog4j.configurationFile=file:${join(configDir, 'log4j-quiet.properties')}`,
        '-cp',
        cp,
        BASH_JAVA_UTILS,
        command,
        '--configDir',
        configDir,
      ],
      { timeoutMs: 60_000 },
    )
    const results = res.stdout
      .split('\n')
      .filter((l) => l.startsWith('BASH_JAVA_UTILS_EXEC_RESULT:'))
      .map((l) => l.slice('BASH_JAVA_UTILS_EXEC_RESULT:'.length).trim())
    if (res.code !== 0 || results.length < 2) {
      throw new Error(
        `BashJavaUtils ${command} failed (exit ${res.code ?? res.signal}):\n${lastLines(res.output, 40)}`,
      )
    }
    const words = (s: string) => s.split(/\s+/).filter(Boolean)
    return { jvm: words(results[0]!), dynamic: words(results[1]!) }
  }
  const [jmParams, tmParams] = await Promise.all([
    bashJavaUtils('GET_JM_RESOURCE_PARAMS'),
    bashJavaUtils('GET_TM_RESOURCE_PARAMS'),
  ])
  log(`Flink ${version}: config in ${configDir}, resource params computed after ${Date.now() - t0} ms`)

  const detached = options.detached ?? false
  // Flink finds file systems like s3:// only in its plugins directory, named by this variable
  const jvmEnv = pluginsDir ? { ...process.env, FLINK_PLUGINS_DIR: pluginsDir } : undefined
  const extraJvm = options.jvmOptions ?? ['-XX:TieredStopAtLevel=1']
  const log4j = `-Dlog4j.configurationFile=file:${join(configDir, 'log4j.properties')}`
  let jm: WatchedProcess | undefined
  const tms: { proc: WatchedProcess; resourceId: string; ports: number[] }[] = []
  let tmCounter = 0
  let stopping = false
  let unexpectedExit = false
  const expectedExits = new Set<number>()

  const watchUnexpected = (p: WatchedProcess) => {
    void p.exited.then(({ code, signal }) => {
      if (!stopping && !expectedExits.has(p.pid)) {
        unexpectedExit = true
        log(`${p.name} (pid ${p.pid}) exited unexpectedly: code ${code} signal ${signal}`)
      }
    })
  }

  const startJobManager = () => {
    jm = spawnWatched({
      name: 'jobmanager',
      command: java,
      cwd: workDir,
      env: jvmEnv,
      detached,
      outFile: join(logDir, 'jobmanager.out'),
      args: [
        ...JAVA_17_OPTS,
        ...extraJvm,
        ...jmParams.jvm,
        `-Dlog.file=${join(logDir, 'jobmanager.log')}`,
        log4j,
        '-cp',
        cp,
        JM_MAIN,
        '--configDir',
        configDir,
        ...jmParams.dynamic,
      ],
    })
    watchUnexpected(jm)
    return jm
  }

  const launchTaskManager = async () => {
    const [tmRpc, tmData] = (await findFreePorts(2, HOST)) as [number, number]
    const n = tmCounter++
    const name = n === 0 ? 'taskmanager' : `taskmanager-${n}`
    const resourceId = `${name}-${ports.rest}-${Date.now().toString(36)}`
    const proc = spawnWatched({
      name,
      command: java,
      cwd: workDir,
      env: jvmEnv,
      detached,
      outFile: join(logDir, `${name}.out`),
      args: [
        ...JAVA_17_OPTS,
        '-XX:+UseG1GC',
        ...extraJvm,
        ...tmParams.jvm,
        `-Dlog.file=${join(logDir, `${name}.log`)}`,
        log4j,
        '-cp',
        cp,
        TM_MAIN,
        '--configDir',
        configDir,
        ...tmParams.dynamic,
        '-D',
        `taskmanager.rpc.port=${tmRpc}`,
        '-D',
        `taskmanager.data.port=${tmData}`,
        '-D',
        `taskmanager.resource-id=${resourceId}`,
      ],
    })
    watchUnexpected(proc)
    const entry = { proc, resourceId, ports: [tmRpc, tmData] }
    void proc.exited.then(() => releasePorts(entry.ports))
    tms.push(entry)
    return entry
  }

  const url = options.restSsl
    ? `https://${options.restSsl.host ?? 'localhost'}:${ports.rest}`
    : `http://${HOST}:${ports.rest}`
  const timeoutMs = options.startTimeoutMs ?? 120_000

  const logTail = async (lines = 60): Promise<string> => {
    let files: string[] = []
    try {
      files = (await readdir(logDir)).filter((f) => /\.(log|out)$/.test(f)).sort()
    } catch {
      return `(no log dir ${logDir})`
    }
    const parts: string[] = []
    for (const f of files) {
      parts.push(`===== ${join(logDir, f)} =====\n${await tailFile(join(logDir, f), lines)}`)
    }
    return parts.join('\n')
  }

  /** Polls `check` with backoff until it returns true; fails fast when a watched JVM exits. */
  const waitUntil = async (what: string, check: () => Promise<boolean>, watch: () => WatchedProcess[]) => {
    const deadline = Date.now() + timeoutMs
    let delay = 100
    let lastProblem = ''
    for (;;) {
      const dead = watch().find((p) => p.hasExited())
      if (dead) {
        const tail = await logTail()
        const err = new StartError(
          `Flink ${version} ${dead.name} (pid ${dead.pid}) exited while waiting for ${what}. Work dir kept: ${workDir}\n${tail}`,
        )
        err.bindFailure = /BindException|Address already in use/.test(tail)
        throw err
      }
      try {
        if (await check()) return
      } catch (e) {
        lastProblem =
          e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)
      }
      if (Date.now() > deadline) {
        throw new StartError(
          `Flink ${version} at ${url}: timed out after ${timeoutMs} ms waiting for ${what}` +
            `${lastProblem ? ` (last error: ${lastProblem})` : ''}. Work dir kept: ${workDir}\n${await logTail()}`,
        )
      }
      await sleep(delay)
      delay = Math.min(1000, Math.round(delay * 1.5))
    }
  }

  const clusterReady = async () => {
    const overview = (await getJson(`${url}/overview`, options.restSsl)) as {
      taskmanagers?: number
      'slots-total'?: number
    }
    if (!((overview.taskmanagers ?? 0) >= 1 && (overview['slots-total'] ?? 0) > 0)) return false
    const config = (await getJson(`${url}/config`, options.restSsl)) as { features?: Record<string, boolean> }
    return config.features?.['web-submit'] === true
  }

  const registeredTaskManagers = async (): Promise<string[]> => {
    const body = (await getJson(`${url}/taskmanagers`, options.restSsl)) as {
      taskmanagers?: { id: string }[]
    }
    return (body.taskmanagers ?? []).map((t) => t.id)
  }

  const running = (): WatchedProcess[] => [
    ...(jm ? [jm] : []),
    ...tms.filter((t) => !expectedExits.has(t.proc.pid)).map((t) => t.proc),
  ]

  const killAll = async (graceMs: number) => {
    stopping = true
    await Promise.all([
      ...tms.map((t) => stopProcess(t.proc, { graceMs })),
      jm ? stopProcess(jm, { graceMs }) : undefined,
    ])
  }

  try {
    startJobManager()
    await launchTaskManager()
    await waitUntil(
      'the cluster (GET /overview: taskmanagers>=1, slots-total>0; /config web-submit)',
      clusterReady,
      running,
    )
    log(`Flink ${version} ready at ${url} after ${Date.now() - t0} ms (work dir ${workDir})`)
  } catch (e) {
    await killAll(2000)
    releasePorts(Object.values(ports))
    throw e
  }

  const stateDirs = options.s3?.bucket ? s3StateDirs(options.s3.bucket, clusterId) : dirs
  const keepByDefault = options.keepWorkDir ?? process.env.FLINK_KEEP_WORKDIR === '1'

  const cluster: FlinkCluster = {
    url,
    version,
    workDir,
    configDir,
    logDir,
    checkpointDir: stateDirs.checkpoints,
    savepointDir: stateDirs.savepoints,
    pluginsDir,
    uploadDir: dirs.webUpload,
    ports,
    classpath,
    jobManagerPid: () => (jm && !jm.hasExited() ? jm.pid : undefined),
    taskManagerPids: () => tms.filter((t) => !t.proc.hasExited()).map((t) => t.proc.pid),

    async stop(o = {}) {
      await killAll(o.graceMs ?? 10_000)
      releasePorts(Object.values(ports))
      const kept = o.keepWorkDir ?? (keepByDefault || unexpectedExit)
      if (kept) {
        log(`Flink ${version}: work dir kept at ${workDir}`)
        if (unexpectedExit && !o.keepWorkDir)
          console.error(`[local-flink] a JVM died unexpectedly; logs kept in ${logDir}`)
      } else {
        await rm(workDir, { recursive: true, force: true })
      }
      return { workDir, kept }
    },

    haClusterId: options.ha ? clusterId : undefined,
    haStorageDir,

    async restartJobManager(o = {}) {
      await cluster.killJobManager(o)
      await cluster.startJobManager()
    },

    async killJobManager(o = {}) {
      if (!jm || jm.hasExited()) return
      expectedExits.add(jm.pid)
      await stopProcess(jm, { signal: o.signal ?? 'SIGKILL', graceMs: 10_000 })
    },

    async startJobManager() {
      if (jm && !jm.hasExited())
        throw new Error(`Flink ${version}: the JobManager (pid ${jm.pid}) still runs`)
      const t = Date.now()
      startJobManager()
      await waitUntil('the restarted JobManager (TaskManager registered, web-submit)', clusterReady, running)
      log(`Flink ${version}: JobManager restarted in ${Date.now() - t} ms`)
      return Date.now() - t
    },

    async killTaskManager(o = {}) {
      const victims = tms.filter((t) => !t.proc.hasExited())
      for (const v of victims) expectedExits.add(v.proc.pid)
      await Promise.all(
        victims.map((v) => stopProcess(v.proc, { signal: o.signal ?? 'SIGKILL', graceMs: 10_000 })),
      )
      if (o.waitForDetection) {
        const ids = new Set(victims.map((v) => v.resourceId))
        await waitUntil(
          'the JobManager to notice the lost TaskManager',
          async () => !(await registeredTaskManagers()).some((id) => ids.has(id)),
          () => (jm ? [jm] : []),
        )
      }
    },

    async startTaskManager() {
      const t = Date.now()
      const entry = await launchTaskManager()
      await waitUntil(
        `TaskManager ${entry.resourceId} to register`,
        async () => (await registeredTaskManagers()).includes(entry.resourceId),
        running,
      )
      log(`Flink ${version}: TaskManager ${entry.resourceId} registered in ${Date.now() - t} ms`)
      return entry.resourceId
    },

    logTail,
  }
  return cluster
}

/** Links `jar` into <workDir>/plugins/<name>/ (Flink loads each plugin folder in its own class loader). */
async function installPlugin(workDir: string, name: string, jar: string): Promise<string> {
  const pluginsDir = join(workDir, 'plugins')
  const link = join(pluginsDir, name, basename(jar))
  await mkdir(join(pluginsDir, name), { recursive: true })
  await rm(link, { force: true }) // a start retried after a port clash finds it already there
  await symlink(jar, link)
  return pluginsDir
}
