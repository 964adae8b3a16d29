#!/usr/bin/env node
/**
 * node packages/local-kafka/src/cli.ts <command>
 *   resolve   resolve (and cache) the broker's classpath from Maven Central (CI can run this before the tests)
 *   up        start a detached broker, print `export KAFKA_BOOTSTRAP=…`, record it in .cache/running.json
 *   down      stop the recorded brokers
 *   status    list recorded brokers and whether they are alive
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { commandLine, isAlive, runCli, stateFile, stopProcess } from '@flink-deploy/local-process'
import { startKafkaBroker } from './broker.ts'
import { resolveKafkaClasspath } from './classpath.ts'
import { CACHE_DIR } from './paths.ts'

interface RunningBroker {
  pid: number
  bootstrap: string
  workDir: string
  startedAt: string
}

const running = stateFile<RunningBroker>(join(CACHE_DIR, 'running.json'), 'brokers')

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  })
  const log = (m: string) => console.error(m)
  switch (positionals[0]) {
    case 'resolve': {
      console.log((await resolveKafkaClasspath()).length, 'jars')
      return 0
    }
    case 'up': {
      const broker = await startKafkaBroker({ detached: true, log })
      await running.write([
        ...(await running.read()),
        {
          pid: broker.pid,
          bootstrap: broker.bootstrap,
          workDir: broker.workDir,
          startedAt: new Date().toISOString(),
        },
      ])
      console.log(`export KAFKA_BOOTSTRAP=${broker.bootstrap}`)
      console.error(`Kafka broker at ${broker.bootstrap} (pid ${broker.pid}); stop with: ./run kafka:down`)
      return 0
    }
    case 'down': {
      for (const b of await running.read()) {
        // only a pid that still runs this broker (its command line names the work folder) is ours to stop
        if (isAlive(b.pid) && (await commandLine(b.pid)).includes(b.workDir))
          await stopProcess(b.pid, { graceMs: 10_000 })
        await rm(b.workDir, { recursive: true, force: true })
        console.error(`stopped the Kafka broker at ${b.bootstrap}`)
      }
      await running.write([])
      return 0
    }
    case 'status': {
      for (const b of await running.read())
        console.log(`${b.bootstrap}\t${b.pid}:${isAlive(b.pid) ? 'alive' : 'gone'}`)
      return 0
    }
    default:
      console.error('usage: node packages/local-kafka/src/cli.ts resolve | up | down | status')
      return positionals[0] === undefined || values.help ? 0 : 2
  }
}

runCli(main)
