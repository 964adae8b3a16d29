/**
 * A fleet on one local cluster: 20 example jobs in one manifest, each upgraded (v1 → v2) by `apply` at
 * concurrency 5, against one job alone upgraded the same way. Goal: the fleet within 4x the single job's
 * wall time. Both are measured with the library's apply() (what `flink-deploy apply` runs); the jobs are
 * created first and not timed. Run: `node bench/fleet-apply.ts` (part of `./run bench`); FLINK_VERSION and
 * FLEET_JOBS (default 20) select.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apply, createFlinkClient, fileRunStorage, type Manifest, ManifestSchema } from '@flink-deploy/core'
import { buildExampleJob, DEFAULT_FLINK_VERSION, startFlinkCluster } from '@flink-deploy/local-flink'

const JOBS = Number(process.env.FLEET_JOBS ?? 20)
const CONCURRENCY = 5
const version = process.env.FLINK_VERSION?.split(',')[0] ?? DEFAULT_FLINK_VERSION

const [cluster, jar] = await Promise.all([
  startFlinkCluster({ version, slots: JOBS + 1, taskManagerMemory: '3072m' }),
  buildExampleJob(version),
])
const client = createFlinkClient({ baseUrl: cluster.url })
const stateDir = mkdtempSync(join(tmpdir(), 'bench-fleet-'))
const runtime = (concurrency: number) => ({
  client,
  concurrency,
  storageFor: (job: string) => fileRunStorage(join(stateDir, `${job}.json`)),
})
const manifest = (names: string[], release: string): Manifest =>
  ManifestSchema.parse({
    defaults: { jar, 'verify-stabilisation': '1s', 'verify-timeout': '120s' },
    jobs: names.map((name) => ({
      'job-name': name,
      args: ['--name', name, '--release', release, '--rate', '50'],
    })),
  })
const timed = async (label: string, m: Manifest, concurrency: number) => {
  const started = performance.now()
  const result = await apply(m, runtime(concurrency))
  const ms = performance.now() - started
  if (!result.ok)
    throw new Error(
      `${label}: ${result.jobs
        .filter((j) => j.status === 'failed')
        .map((j) => `${j.job} ${j.error?.message}`)
        .join('; ')}`,
    )
  return ms
}

try {
  const fleet = Array.from({ length: JOBS }, (_, i) => `fleet-${String(i + 1).padStart(2, '0')}`)
  await timed('create', manifest([...fleet, 'alone'], 'v1'), CONCURRENCY)
  const single = await timed('one job', manifest(['alone'], 'v2'), 1)
  const many = await timed(`${JOBS} jobs`, manifest(fleet, 'v2'), CONCURRENCY)
  console.log(
    `Flink ${cluster.version}, one TaskManager with ${JOBS + 1} slots; stop-and-restart, 1 checkpoint and 1 s stable per job`,
  )
  console.log(`one job alone           ${(single / 1000).toFixed(1)} s`)
  console.log(
    `${JOBS} jobs, concurrency ${CONCURRENCY}  ${(many / 1000).toFixed(1)} s  (${(many / single).toFixed(2)}x the single job; goal at most 4x)`,
  )
} finally {
  await client.close()
  await cluster.stop()
}
