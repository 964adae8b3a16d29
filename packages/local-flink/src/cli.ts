#!/usr/bin/env node
/**
 * node packages/local-flink/src/cli.ts <command>
 *   up [--version 2.3] [--slots 4]    start a detached cluster, print its URL, record it in .cache/running.json
 *   down [--version 2.3] [--keep]     stop the clusters recorded in .cache/running.json (all, or that version)
 *   status                            list recorded clusters and whether their JVMs are alive
 *   resolve [--version 1.20,2.3]      resolve (and cache) the classpath and S3 plugin of the versions (default: FLINK_VERSION or all)
 *   build-job [--version 1.20,2.3]    build examples/flink-job for the versions, print the jar paths
 */
import { rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parseArgs } from 'node:util'
import { commandLine, isAlive, runCli, stateFile, stopProcess } from '@flink-deploy/local-process'
import { resolveClasspath } from './classpath.ts'
import { startFlinkCluster } from './cluster.ts'
import { buildExampleJob } from './example-job.ts'
import { CACHE_DIR } from './paths.ts'
import { resolveS3Plugin } from './s3-plugin.ts'
import { DEFAULT_FLINK_VERSION, resolveFlinkVersion, selectedFlinkVersions } from './versions.ts'

interface RunningCluster {
  version: string
  url: string
  workDir: string
  configDir: string
  pids: { jobmanager: number; taskmanagers: number[] }
  startedAt: string
}

const running = stateFile<RunningCluster>(join(CACHE_DIR, 'running.json'), 'clusters')

/** Only signal a recorded pid if it still is one of our JVMs (its command line names the cluster's config dir). */
async function stopRecordedPid(pid: number, configDir: string): Promise<void> {
  if (!isAlive(pid)) return
  if (!(await commandLine(pid)).includes(configDir)) {
    console.error(`pid ${pid} is no longer a JVM of ${configDir}; not touching it`)
    return
  }
  await stopProcess(pid, { graceMs: 10_000 })
}

function versionsFrom(value: string | undefined): string[] {
  return value ? value.split(',').map((v) => resolveFlinkVersion(v)) : selectedFlinkVersions()
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      version: { type: 'string' },
      slots: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  const command = positionals[0]
  switch (command) {
    case 'up': {
      const version = resolveFlinkVersion(
        values.version ?? process.env.FLINK_VERSION?.split(',')[0] ?? DEFAULT_FLINK_VERSION,
      )
      const t0 = Date.now()
      const cluster = await startFlinkCluster({
        version,
        slots: values.slots ? Number(values.slots) : undefined,
        detached: true,
        keepWorkDir: true,
        log: (m) => console.error(m),
      })
      const state = await running.read()
      state.push({
        version: cluster.version,
        url: cluster.url,
        workDir: cluster.workDir,
        configDir: cluster.configDir,
        pids: { jobmanager: cluster.jobManagerPid()!, taskmanagers: cluster.taskManagerPids() },
        startedAt: new Date().toISOString(),
      })
      await running.write(state)
      console.error(
        `Flink ${cluster.version} up in ${Date.now() - t0} ms; logs in ${cluster.logDir}; stop with: down`,
      )
      console.log(cluster.url)
      return 0
    }
    case 'down': {
      const only = values.version ? resolveFlinkVersion(values.version) : undefined
      const state = await running.read()
      const keep: RunningCluster[] = []
      for (const c of state) {
        if (only && c.version !== only) {
          keep.push(c)
          continue
        }
        await Promise.all(
          [...c.pids.taskmanagers, c.pids.jobmanager].map((pid) => stopRecordedPid(pid, c.configDir)),
        )
        if (values.keep) console.error(`stopped Flink ${c.version} at ${c.url}; work dir kept: ${c.workDir}`)
        else {
          await rm(c.workDir, { recursive: true, force: true })
          console.error(`stopped Flink ${c.version} at ${c.url}`)
        }
      }
      await running.write(keep)
      return 0
    }
    case 'status': {
      for (const c of await running.read()) {
        const alive = [c.pids.jobmanager, ...c.pids.taskmanagers].map(
          (p) => `${p}:${isAlive(p) ? 'alive' : 'gone'}`,
        )
        console.log(`${c.version}\t${c.url}\t${alive.join(' ')}\t${c.workDir}`)
      }
      return 0
    }
    case 'resolve': {
      for (const v of versionsFrom(values.version)) {
        const t0 = Date.now()
        const [jars, s3Plugin] = await Promise.all([resolveClasspath(v), resolveS3Plugin(v)])
        console.log(
          `Flink ${v}: ${jars.length} jars, S3 plugin ${basename(s3Plugin)} (${Date.now() - t0} ms)`,
        )
      }
      return 0
    }
    case 'build-job': {
      for (const v of versionsFrom(values.version)) {
        const t0 = Date.now()
        const jar = await buildExampleJob(v)
        console.error(`Flink ${v}: built in ${Date.now() - t0} ms`)
        console.log(jar)
      }
      return 0
    }
    default:
      console.error(
        'usage: node packages/local-flink/src/cli.ts up [--version 2.3] [--slots 4] | down [--version 2.3] [--keep] | status | resolve [--version 1.20,2.3] | build-job [--version 1.20,2.3]',
      )
      return command === undefined || values.help ? 0 : 2
  }
}

runCli(main)
