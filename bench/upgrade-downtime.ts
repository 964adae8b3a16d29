/**
 * Orchestration gap and downtime of real upgrades, per Flink version, with the run state in local files and
 * in the S3 store (a real S3 server, moto, on loopback) side by side: a local cluster, the example job
 * deployed, then stop-and-restart upgrades back and forth between two releases, the two stores interleaved.
 * All times come from Flink's own job timestamps: gap = blue FINISHED → green submitted (green's
 * start-time), downtime = blue FINISHED → every subtask of green RUNNING. The S3 rows also count the store
 * writes between the savepoint and green's submission (the downtime-critical path; at most one is allowed).
 * Run: `./run bench` (prints a table; no assertions). FLINK_VERSION selects the versions.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createFlinkClient,
  createS3ObjectStore,
  type FlinkClient,
  objectRunStorage,
  parseStoreUrl,
  type UpgradeEvent,
  type UpgradeRuntime,
  upgrade,
  withFaults,
} from '@flink-deploy/core'
import { buildExampleJob, selectedFlinkVersions, startFlinkCluster } from '@flink-deploy/local-flink'
import { startS3Server } from '@flink-deploy/local-s3'

const UPGRADES = Number(process.env.BENCH_UPGRADES ?? 4)
const verify = { checkpoints: 1, stabilisationMs: 1_000, timeoutMs: 60_000 }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
const col = (value: unknown, width: number) => String(value).padStart(width)

console.log(
  `stop-and-restart upgrades of the example job on a local cluster (${UPGRADES} per store and version; ms, Flink's timestamps)`,
)
console.log(
  `${'flink'.padEnd(8)} ${'store'.padEnd(5)} ${'run'.padStart(3)} ${col('gap', 6)} ${col('downtime', 9)} ${col('stop step', 10)} ${col('total', 7)} ${col('writes on path', 15)}`,
)

const s3 = await startS3Server({ buckets: ['bench-state'] })
try {
  for (const version of selectedFlinkVersions()) {
    const [cluster, jar] = await Promise.all([startFlinkCluster({ version }), buildExampleJob(version)])
    const client = createFlinkClient({ baseUrl: cluster.url })
    const objects = withFaults(
      await createS3ObjectStore(parseStoreUrl(`s3://bench-state/${version}`), s3.clientConfig()),
    )
    const stores = {
      file: (): UpgradeRuntime => ({
        client,
        stateFile: join(mkdtempSync(join(tmpdir(), 'bench-')), 'orders.json'),
      }),
      s3: (): UpgradeRuntime => ({ client, storage: objectRunStorage(objects, { job: 'orders' }) }),
    }
    // Both stores must know the running release (for rollbacks): the first deployment is made twice over.
    const fileRuntime = stores.file()
    const s3Runtime = stores.s3()
    try {
      const release = (name: string) => ({
        jobName: 'orders',
        jar,
        args: ['--name', 'orders', '--release', name],
        verify,
      })
      await upgrade(release('v1'), fileRuntime)
      const figures = {
        file: { gaps: [] as number[], downtimes: [] as number[] },
        s3: { gaps: [] as number[], downtimes: [] as number[] },
      }
      for (let run = 1; run <= UPGRADES * 2; run++) {
        const kind = run % 2 ? 's3' : 'file'
        const runtime = kind === 's3' ? s3Runtime : fileRuntime
        const writes = criticalPathWrites(objects.requests)
        const result = await upgrade(release(run % 4 < 2 ? 'v2' : 'v1'), {
          ...runtime,
          onEvent: writes.onEvent,
        })
        if (result.outcome !== 'upgraded') throw new Error(result.summary)
        const gap = await gapOf(client, result.greenJobId!, result.timeline.blueFinishedAt!)
        const stop = result.steps.find((s) => s.step === 'stoppingBlue')!.durationMs
        figures[kind].gaps.push(gap)
        figures[kind].downtimes.push(result.downtimeMs!)
        console.log(
          `${version.padEnd(8)} ${kind.padEnd(5)} ${col(Math.ceil(run / 2), 3)} ${col(gap, 6)} ${col(result.downtimeMs, 9)} ${col(stop, 10)} ${col(result.totalMs, 7)} ${col(kind === 's3' ? writes.count() : '-', 15)}`,
        )
      }
      for (const kind of ['file', 's3'] as const)
        console.log(
          `${version.padEnd(8)} ${kind.padEnd(5)} med ${col(median(figures[kind].gaps), 6)} ${col(median(figures[kind].downtimes), 9)}`,
        )
      console.log(
        `${version.padEnd(8)} s3/file: gap ${(median(figures.s3.gaps) / median(figures.file.gaps)).toFixed(2)}x, downtime ${(median(figures.s3.downtimes) / median(figures.file.downtimes)).toFixed(2)}x`,
      )
    } finally {
      await client.close()
      await objects.close()
      await cluster.stop()
    }
  }
} finally {
  await s3.stop()
}

async function gapOf(client: FlinkClient, greenJobId: string, blueFinishedAt: number): Promise<number> {
  const green = await client.jobs.get({ jobid: greenJobId })
  return green['start-time'] - blueFinishedAt
}

/** Counts the run-state and release writes between the savepoint and green's submission. */
function criticalPathWrites(requests: string[]) {
  let from: number | undefined
  let to: number | undefined
  return {
    onEvent(event: UpgradeEvent) {
      if (event.type === 'savepoint-taken') from = requests.length
      if (event.type === 'job-submitted' && from !== undefined && to === undefined) to = requests.length
    },
    count: () =>
      requests
        .slice(from ?? 0, to ?? from ?? 0)
        .filter((r) => r.startsWith('put ') && !r.endsWith('lock.json')).length,
  }
}
