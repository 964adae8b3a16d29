#!/usr/bin/env node
/**
 * node packages/local-s3/src/cli.ts <command>
 *   install                          install moto into .cache once (CI can run this before the tests)
 *   up [--bucket a,b] [--port N]     start a detached server, print `export AWS_...` lines, record it in .cache/running.json
 *   down                             stop the recorded servers
 *   status                           list recorded servers and whether they are alive
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { commandLine, isAlive, runCli, stateFile, stopProcess } from '@flink-deploy/local-process'
import { installMoto } from './moto-install.ts'
import { CACHE_DIR } from './paths.ts'
import { startS3Server } from './s3-server.ts'

interface RunningServer {
  pid: number
  endpoint: string
  logFile: string
  startedAt: string
}

const running = stateFile<RunningServer>(join(CACHE_DIR, 'running.json'), 'servers')

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { bucket: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  const log = (m: string) => console.error(m)
  switch (positionals[0]) {
    case 'install': {
      const { dir } = await installMoto({ log })
      console.log(dir)
      return 0
    }
    case 'up': {
      const server = await startS3Server({
        port: values.port === undefined ? undefined : Number(values.port),
        buckets: values.bucket?.split(',').map((b) => b.trim()),
        detached: true,
        log,
      })
      await running.write([
        ...(await running.read()),
        {
          pid: server.pid,
          endpoint: server.endpoint,
          logFile: server.logFile,
          startedAt: new Date().toISOString(),
        },
      ])
      for (const [key, value] of Object.entries(server.env())) console.log(`export ${key}=${value}`)
      console.error(`moto S3 at ${server.endpoint} (pid ${server.pid}); stop with: down`)
      return 0
    }
    case 'down': {
      for (const s of await running.read()) {
        // only a pid that still runs this moto server is ours to stop
        const ours = (await commandLine(s.pid)).includes(
          `moto.server -H 127.0.0.1 -p ${new URL(s.endpoint).port}`,
        )
        if (isAlive(s.pid) && ours) await stopProcess(s.pid, { graceMs: 5_000 })
        await rm(join(s.logFile, '..'), { recursive: true, force: true })
        console.error(`stopped moto S3 at ${s.endpoint}`)
      }
      await running.write([])
      return 0
    }
    case 'status': {
      for (const s of await running.read())
        console.log(`${s.endpoint}\t${s.pid}:${isAlive(s.pid) ? 'alive' : 'gone'}`)
      return 0
    }
    default:
      console.error(
        'usage: node packages/local-s3/src/cli.ts install | up [--bucket a,b] [--port N] | down | status',
      )
      return positionals[0] === undefined || values.help ? 0 : 2
  }
}

runCli(main)
