/**
 * What both demos share: announcing a step, checking the tools they need, running the CLI as a user does
 * (with the command shown), and reading the example job's count of events in state.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { FlinkClient } from '@flink-deploy/core'
import { type ExampleGauges, readExampleGauges } from './example-gauges.ts'

const cli = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url))

export const say = (text: string) => process.stdout.write(`\n\x1b[1m${text}\x1b[0m\n`)

/** `flink-deploy upgrade` of the example job as `orders`, by default counting 200 generated events a second. */
export function upgradeArgs(
  flinkUrl: string,
  jar: string,
  release: string,
  stateFile: string,
  programArgs = ['--rate', '200'],
): string[] {
  return [
    'upgrade',
    `--flink-url=${flinkUrl}`,
    '--job-name=orders',
    `--jar=${jar}`,
    ...['--name', 'orders', '--release', release, ...programArgs].map((a) => `--arg=${a}`),
    `--state-file=${stateFile}`,
    '--verify-stabilisation=5s',
  ]
}

export function requireTool(command: string, args: string[], what: string): void {
  const probe = spawnSync(command, args, { stdio: 'ignore' })
  if (probe.error || probe.status !== 0) {
    process.stderr.write(`The demo needs ${what}: \`${command}\` was not found or did not run.\n`)
    process.exit(2)
  }
}

export function runCli(args: string[]): void {
  process.stdout.write(`$ flink-deploy ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}\n`)
  execFileSync(process.execPath, [cli, ...args], { stdio: 'inherit' })
}

export async function runningJob(flink: FlinkClient): Promise<string> {
  const { jobs } = await flink.jobs.overview()
  const job = jobs.find((j) => j.name === 'orders' && j.state === 'RUNNING')
  if (!job) throw new Error('no RUNNING job named orders')
  return job.jid
}

/** The example job's gauges, once Flink's metric store has them. */
export async function gauges(flink: FlinkClient, jobid: string): Promise<ExampleGauges> {
  for (let wait = 100; ; wait = Math.min(wait * 1.5, 1_000)) {
    const read = await readExampleGauges(flink, jobid)
    if (read) return read
    await sleep(wait)
  }
}

export async function watchState(flink: FlinkClient, jobid: string, target: number): Promise<number> {
  for (;;) {
    const { stateCount } = await gauges(flink, jobid)
    process.stdout.write(`  events counted in state: ${stateCount}\n`)
    if (stateCount >= target) return stateCount
    await sleep(1_000)
  }
}
