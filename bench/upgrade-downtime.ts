/**
 * Orchestration gap and downtime of real upgrades, per Flink version: a local cluster, the example job
 * deployed, then stop-and-restart upgrades back and forth between two releases. All times come from Flink's
 * own job timestamps: gap = blue FINISHED → green submitted (green's start-time), downtime = blue FINISHED →
 * every subtask of green RUNNING. Run: `./run bench` (prints a table; no assertions). FLINK_VERSION selects.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient, upgrade } from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'

const UPGRADES = Number(process.env.BENCH_UPGRADES ?? 4)
const verify = { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 60_000 }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!

console.log(
  `stop-and-restart upgrades of the example job on a local cluster (${UPGRADES} per version; ms, Flink's timestamps)`,
)
console.log(
  `${'flink'.padEnd(8)} ${'run'.padStart(3)} ${'gap'.padStart(6)} ${'downtime'.padStart(9)} ${'stop step'.padStart(10)} ${'total'.padStart(7)}`,
)
for (const version of selectedFlinkVersions()) {
  const [cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
  const client = createFlinkClient({ baseUrl: cluster.url })
  try {
    const runtime = { client, stateFile: join(mkdtempSync(join(tmpdir(), 'bench-upgrade-')), 'orders.json') }
    const release = (name: string) => ({
      jobName: 'orders',
      jar,
      args: ['--name', 'orders', '--release', name],
      verify,
    })
    await upgrade(release('v1'), runtime)
    const gaps: number[] = []
    const downtimes: number[] = []
    for (let run = 1; run <= UPGRADES; run++) {
      const result = await upgrade(release(run % 2 ? 'v2' : 'v1'), runtime)
      if (result.outcome !== 'upgraded') throw new Error(result.summary)
      const green = await client.jobs.get({ jobid: result.greenJobId! })
      const gap = green['start-time'] - result.timeline.blueFinishedAt!
      const stop = result.steps.find((s) => s.step === 'stoppingBlue')!.durationMs
      gaps.push(gap)
      downtimes.push(result.downtimeMs!)
      console.log(
        `${version.padEnd(8)} ${String(run).padStart(3)} ${String(gap).padStart(6)} ${String(result.downtimeMs).padStart(9)} ${String(stop).padStart(10)} ${String(result.totalMs).padStart(7)}`,
      )
    }
    console.log(
      `${version.padEnd(8)} med ${String(median(gaps)).padStart(6)} ${String(median(downtimes)).padStart(9)}`,
    )
  } finally {
    await client.close()
    await cluster.stop()
  }
}
