#!/usr/bin/env node
/**
 * node packages/local-jaeger/src/cli.ts build
 *   builds (once) and caches the Jaeger binary; CI runs it early, beside the other installs, since a cold
 *   build takes minutes. Prints the binary's path.
 */
import { runCli } from '@flink-deploy/local-process'
import { jaegerBinary } from './binary.ts'

runCli(async (argv) => {
  if (argv[0] !== 'build') {
    console.error('usage: node packages/local-jaeger/src/cli.ts build')
    return 2
  }
  console.log(await jaegerBinary({ log: (m) => console.error(m) }))
  return 0
})
