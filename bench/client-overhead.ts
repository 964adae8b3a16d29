/**
 * Client overhead per request against raw undici, both talking to the loopback fake Flink over HTTP/1.1
 * keep-alive. The client adds argument checks, zod validation of the answer, error mapping and the retry
 * wrapper; raw undici only sends and JSON-parses. Run: `./run bench` (prints a table; no assertions).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient } from '@flink-deploy/core'
import { serveFakeFlink } from '@flink-deploy/core/testing'
import { Pool } from 'undici'

const ROUNDS = 5
const PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 1000)

const fake = await serveFakeFlink({ version: '2.3.0' })
const client = createFlinkClient({ baseUrl: fake.url })
const pool = new Pool(fake.url, { allowH2: false, connections: 8 })

const jar = join(mkdtempSync(join(tmpdir(), 'bench-')), 'bench-job.jar')
writeFileSync(jar, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(512)]))
const { jarId } = await client.jars.upload(jar)
const { jobid } = await client.jars.run({ jarid: jarId, body: { parallelism: 2 } })
while ((await client.jobs.status({ jobid })).status !== 'RUNNING') await new Promise((r) => setImmediate(r))

const cases = [
  {
    name: 'GET /overview',
    raw: () => rawJson('/v1/overview'),
    client: () => client.cluster.overview(),
  },
  {
    name: 'GET /jobs/:jobid',
    raw: () => rawJson(`/v1/jobs/${jobid}`),
    client: () => client.jobs.get({ jobid }),
  },
  {
    name: 'GET /jobs/:jobid/checkpoints',
    raw: () => rawJson(`/v1/jobs/${jobid}/checkpoints`),
    client: () => client.checkpoints.statistics({ jobid }),
  },
]

async function rawJson(path: string): Promise<unknown> {
  const { body } = await pool.request({ path, method: 'GET', headers: { accept: 'application/json' } })
  return body.json()
}

async function timeEach(fn: () => Promise<unknown>, n: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn()
    times.push((performance.now() - t) * 1000)
  }
  return times
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!
const fmt = (us: number) => `${us.toFixed(0).padStart(6)} µs`

console.log(
  `client overhead vs raw undici, loopback fake Flink 2.3.0, ${ROUNDS}×${PER_ROUND} sequential requests each`,
)
console.log(
  `${'route'.padEnd(30)} ${'raw p50'.padStart(9)} ${'client p50'.padStart(11)} ${'raw p99'.padStart(9)} ${'client p99'.padStart(11)} ${'overhead p50'.padStart(13)}`,
)
for (const c of cases) {
  await timeEach(c.raw, 200)
  await timeEach(c.client, 200)
  const raw: number[] = []
  const lib: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    raw.push(...(await timeEach(c.raw, PER_ROUND)))
    lib.push(...(await timeEach(c.client, PER_ROUND)))
  }
  const overhead = pct(lib, 0.5) - pct(raw, 0.5)
  console.log(
    `${c.name.padEnd(30)} ${fmt(pct(raw, 0.5))} ${fmt(pct(lib, 0.5)).padStart(11)} ${fmt(pct(raw, 0.99))} ${fmt(pct(lib, 0.99)).padStart(11)} ${fmt(overhead).padStart(13)}`,
  )
}

await client.close()
await pool.close()
await fake.close()
