/**
 * Downtime against state size: the example job holding --state-mb N in RocksDB (incremental checkpoints) on a
 * local cluster, upgraded stop-and-restart with a canonical savepoint, a native savepoint, and last-state (from
 * the latest retained checkpoint), each beside the plan's estimate. Downtime = blue FINISHED (or CANCELED) →
 * every subtask of green RUNNING, from Flink's timestamps.
 * Run: `./run bench:state-size` (prints a table; no assertions). BENCH_STATE_MB (default 10,100,1024) picks the
 * sizes, FLINK_VERSION the versions. Not (yet): CLAIM runs, blue-green, Flink's CLI beside it, a chart.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient, type FlinkClient, type UpgradeOptions, upgrade } from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'

const SIZES = (process.env.BENCH_STATE_MB ?? '10,100,1024').split(',').map(Number)
const MODES: { name: string; options: Partial<UpgradeOptions> }[] = [
  { name: 'canonical', options: { savepointFormat: 'canonical' } },
  { name: 'native', options: { savepointFormat: 'native' } },
  { name: 'last-state', options: { upgradeMode: 'last-state', lastStateMaxAgeMs: 600_000 } },
]
const MB = 1024 * 1024
const col = (value: unknown, width: number) => String(value).padStart(width)

console.log(
  'stop-and-restart upgrades of a RocksDB job by state size (ms, Flink timestamps; est. = the plan)',
)
console.log(
  `${'flink'.padEnd(7)} ${col('state MB', 9)} ${'mode'.padEnd(10)} ${col('snapshot MB', 12)} ${col('downtime', 9)} ${col('est.', 7)} ${col('est./real', 10)} ${col('total', 7)}`,
)

/** A checkpoint that completed after `since` and holds the whole fill. */
async function fullCheckpoint(client: FlinkClient, jobid: string, mb: number, since: number): Promise<void> {
  for (;;) {
    const latest = (await client.checkpoints.statistics({ jobid })).latest.completed
    if (latest && latest.trigger_timestamp > since && (latest.state_size ?? 0) >= mb * MB) return
    await new Promise((r) => setTimeout(r, 500))
  }
}

for (const version of selectedFlinkVersions()) {
  for (const mb of SIZES) {
    const [cluster, jar] = await Promise.all([
      startFlinkCluster({ version, stateBackend: 'rocksdb', slots: 2, checkpointInterval: '2 s' }),
      buildExampleJob(version),
    ])
    const client = createFlinkClient({ baseUrl: cluster.url })
    const runtime = { client, stateFile: join(mkdtempSync(join(tmpdir(), 'bench-state-')), 'orders.json') }
    const release = (name: string, extra: Partial<UpgradeOptions> = {}): UpgradeOptions => ({
      jobName: 'orders',
      jar,
      args: ['--name', 'orders', '--release', name, '--state-mb', String(mb)],
      verify: { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 600_000 },
      timeouts: { savepointMs: 1_800_000 },
      ...extra,
    })
    try {
      let blue = (await upgrade(release('v1'), runtime)).greenJobId!
      let next = 'v2'
      for (const mode of MODES) {
        await fullCheckpoint(client, blue, mb, Date.now())
        const result = await upgrade(release(next, mode.options), runtime)
        if (result.outcome !== 'upgraded') throw new Error(result.summary)
        const stats = await client.checkpoints.statistics({ jobid: blue })
        const snapshot = mode.name === 'last-state' ? stats.latest.completed : stats.latest.savepoint
        const downtime = result.downtimeMs ?? Number.NaN
        const estimate = result.estimate?.downtimeMs ?? Number.NaN
        console.log(
          `${version.padEnd(7)} ${col(mb, 9)} ${mode.name.padEnd(10)} ${col(((snapshot?.state_size ?? 0) / MB).toFixed(1), 12)} ${col(downtime, 9)} ${col(estimate, 7)} ${col((estimate / downtime).toFixed(2), 10)} ${col(result.totalMs, 7)}`,
        )
        blue = result.greenJobId!
        next = next === 'v2' ? 'v1' : 'v2'
      }
    } finally {
      await client.close().catch(() => {})
      await cluster.stop()
    }
  }
}
