import { mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { exec, lastLines, mavenBinary, stripAnsi, withFileLock } from '@flink-deploy/local-process'
import { EXAMPLE_JOB_DIR, GATE_DIR } from './paths.ts'
import { flinkMajor, resolveFlinkVersion } from './versions.ts'

/** Main class of examples/flink-job (also the jar's Main-Class, so entryClass may be omitted). */
export const EXAMPLE_JOB_ENTRY_CLASS = 'dev.flinkdeploy.example.StatefulCounterJob'

/** Operator uids/names of the example job and its metric names (see StatefulCounterJob.java). */
export const EXAMPLE_JOB = {
  entryClass: EXAMPLE_JOB_ENTRY_CLASS,
  uids: {
    source: 'events-source',
    counter: 'counter',
    incompatibleCounter: 'counter-incompatible',
    sink: 'discard-sink',
  },
  operatorNames: { source: 'events', counter: 'counter', sink: 'discard' },
  /** metric ids on GET /jobs/:jobid/vertices/:vertexid/metrics, for subtask <i>: `${i}.counter.stateCount` */
  metrics: {
    stateCount: (subtask = 0) => `${subtask}.counter.stateCount`,
    release: (subtask = 0) => `${subtask}.counter.release`,
    processedSinceStart: (subtask = 0) => `${subtask}.counter.processedSinceStart`,
  },
} as const

/** Path of the shaded example-job jar for `version` (may not exist yet): examples/flink-job/target/<v>/flink-job-<v>.jar */
export function exampleJobJarPath(version: string): string {
  const v = resolveFlinkVersion(version)
  return join(EXAMPLE_JOB_DIR, 'target', v, `flink-job-${v}.jar`)
}

const inFlight = new Map<string, Promise<string>>()

/**
 * Builds examples/flink-job with the hand-over gate (packages/flink-gate) against Flink `version` (mvn package
 * -Dflink.version=… on examples/flink-job/reactor.pom.xml) unless the jar is newer than both poms and every source
 * file. Returns the jar path. Concurrent calls share one build; builds for
 * different versions are serialized (one Maven at a time: the machine is small and ~/.m2 is shared).
 */
export function buildExampleJob(version: string, options: { force?: boolean } = {}): Promise<string> {
  const v = resolveFlinkVersion(version)
  const pending = inFlight.get(v)
  if (pending) return pending
  const p = (async () => {
    await buildChain.catch(() => {})
    return build(v, options.force ?? false)
  })().finally(() => inFlight.delete(v))
  buildChain = p
  inFlight.set(v, p)
  return p
}
let buildChain: Promise<unknown> = Promise.resolve()

async function build(version: string, force: boolean): Promise<string> {
  const jar = exampleJobJarPath(version)
  if (!force && (await isUpToDate(jar))) return jar
  const lock = `${jar}.building`
  await mkdir(join(EXAMPLE_JOB_DIR, 'target', version), { recursive: true })
  await withFileLock(
    lock,
    async () => {
      if (!force && (await isUpToDate(jar))) return
      const args = [
        '-q',
        '-B',
        '-Dstyle.color=never',
        '-f',
        join(EXAMPLE_JOB_DIR, 'reactor.pom.xml'),
        'package',
        // the gate's own tests run in test/gate-handover.flink.test.ts
        '-DskipTests',
        `-Dflink.version=${version}`,
        // Flink 1.x lacks the async state API the example's flink2 package is written against.
        ...(flinkMajor(version) < 2 ? ['-Pflink1'] : []),
      ]
      const res = await exec(mavenBinary(), args, { timeoutMs: 15 * 60_000 })
      if (res.code !== 0) {
        throw new Error(
          `Building the example job for Flink ${version} failed (mvn ${args.join(' ')}):\n` +
            lastLines(stripAnsi(res.output), 60),
        )
      }
    },
    { timeoutMs: 15 * 60_000, what: `the example-job build for Flink ${version}` },
  )
  if (!(await isUpToDate(jar))) throw new Error(`Maven finished but ${jar} is missing or stale`)
  return jar
}

async function newestSourceMtime(dir: string): Promise<number> {
  let newest = 0
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, await newestSourceMtime(p))
    else newest = Math.max(newest, (await stat(p)).mtimeMs)
  }
  return newest
}

async function isUpToDate(jar: string): Promise<boolean> {
  let jarMtime: number
  try {
    jarMtime = (await stat(jar)).mtimeMs
  } catch {
    return false
  }
  const sources = await Promise.all([
    newestModuleMtime(EXAMPLE_JOB_DIR),
    newestModuleMtime(GATE_DIR),
    stat(join(EXAMPLE_JOB_DIR, 'reactor.pom.xml')).then((s) => s.mtimeMs),
  ])
  return jarMtime >= Math.max(...sources)
}

/** Newest of a Maven module's pom.xml and main sources (the gate's tests do not go into the jar). */
async function newestModuleMtime(dir: string): Promise<number> {
  const pom = (await stat(join(dir, 'pom.xml'))).mtimeMs
  return Math.max(pom, await newestSourceMtime(join(dir, 'src', 'main')))
}
