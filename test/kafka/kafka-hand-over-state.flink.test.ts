/**
 * Issue 21's last acceptance, on real Flink with the real broker and the producer running: with the Kafka job
 * holding about 75 MB of keyed state (--state-mb 75: 75 MB of values, 90 MB in checkpoints with their keys; heap
 * backend, so every checkpoint is a full snapshot), the
 * tool's hand-over (strategy blue-green, handover gate) pauses the committed output no longer than with 1 MB.
 * Green restores while blue still writes, so state size should not reach the output: the pause is the switch
 * from blue's records before T to green's from T on. Both sizes are counted exactly once by the ledger.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type FlinkClient, type UpgradeOptions, upgrade } from '@flink-deploy/core'
import { resolveFlinkVersion, selectedFlinkVersions } from '@flink-deploy/local-flink'
import { describe, expect, it, vi } from 'vitest'
import { KAFKA_RATE } from '../../scripts/kafka-job.ts'
import { type KafkaGround, kafkaPipeline, outputAtLeast, useKafkaGround } from './kafka-ground.ts'

const MB = 1024 * 1024
/**
 * Bytes per fill value (--state-value-bytes): 75 MB in 64-byte values is 1.2 M keys, a state whose restore costs
 * stop-and-restart seconds (bench/kafka-hand-over.ts on 2.3: output pause 1.7 s at 1 MB, 5.1 s at 75 MB), where
 * 1 KiB values (77 k keys) restore in well under a second and would prove little.
 */
const VALUE_BYTES = 64
/** The Kafka job's checkpoint interval (its --checkpoint-interval default): blue commits its output this often. */
const CHECKPOINT_INTERVAL_MS = 1_000
/** The bar for the hand-over's pause: blue's checkpoint interval plus 1 s. */
const PAUSE_BAR_MS = CHECKPOINT_INTERVAL_MS + 1_000
/**
 * How much longer the 75 MB pause may be than the 1 MB one and still count as "no longer". Both pauses are the
 * longest gap between committed records (broker append time) over the whole hand-over, on a 2-core machine
 * shared with other work; at 300 records/s a record arrives every 3.3 ms. In five of the six runs that recorded
 * it, that gap fell 3.7–15 s before T, while blue alone writes (its savepoint, green's deployment and restore
 * take the same 2 cores); the switch itself, blue's last record to green's first, was -13 to 35 ms at either
 * size. Measured here on 2.3 and 1.20 (load average 4–30), over twelve runs of each size (tests and benches), the
 * pause was 135–829 ms at 1 MB and 157–492 ms at 75 MB, and the 75 MB one exceeded the 1 MB one of its run by
 * at most 344 ms. 500 ms is that with a margin. A pause that grew with the state would not hide in it:
 * stop-and-restart's grew by 1.9–3.4 s from 1 MB to 75 MB in the same bench.
 */
const NOISE_MS = 500
const verify = { checkpoints: 1, stabilisationMs: 2_000, timeoutMs: 90_000 }

interface HandOver {
  mb: number
  pauseMs: number
  /** when the longest gap began, from T (the cutover): near 0 when it is the switch itself */
  pauseFromCutoverMs: number
  /** green's first committed record after blue's last (append times; negative: they overlap) */
  switchMs: number
  produced: number
  missing: number
  duplicated: number
  blueStateMb: number
  greenStateMb: number
  totalMs: number
}

/** Blue (the first release, gate in front of its sink) holding `mb` MB, then the hand-over to green, the producer running throughout. */
async function handOver(ground: KafkaGround, mb: number): Promise<HandOver> {
  const { client } = ground
  const name = `orders-${mb}mb`
  const pipeline = await kafkaPipeline(ground.broker, name)
  const runtime = ground.runtime(name)
  const options = (release: string): UpgradeOptions => ({
    jobName: name,
    jar: ground.jar,
    args: pipeline.args(release, ['--state-mb', String(mb), '--state-value-bytes', String(VALUE_BYTES)]),
    strategy: 'blue-green',
    handover: 'gate',
    handoverMarginMs: 5_000,
    verify,
  })
  const producer = await pipeline.ledger.startProducer(
    KAFKA_RATE,
    join(mkdtempSync(join(tmpdir(), 'kafka-producer-')), `${name}.log`),
  )
  const first = await upgrade(options('v1'), runtime)
  expect(first.outcome, first.summary).toBe('upgraded')
  const blueId = first.greenJobId!
  await outputAtLeast(pipeline, 300, 'v1')
  const blueState = await checkpointHolding(client, blueId, mb)

  const from = Date.now()
  const result = await upgrade(options('v2'), runtime)
  const to = Date.now()
  expect(result.outcome, result.summary).toBe('upgraded')
  const cutover = result.handover?.cutoverMillis
  expect(cutover).toBeGreaterThan(0)
  await outputAtLeast(pipeline, 300, 'v2')
  // green restored the fill and keeps it: its own checkpoints hold it
  const greenState = await checkpointHolding(client, result.greenJobId!, mb)
  const produced = await producer.stop()
  const counts = await pipeline.ledger.settle({ timeoutMs: 30_000, window: { from, to } })
  await client.jobs.cancel({ jobid: result.greenJobId! })
  expect(counts.input).toBe(produced)
  return {
    mb,
    pauseMs: counts.outputPauseMs,
    pauseFromCutoverMs: counts.outputPauseAt - cutover!,
    switchMs: counts.releases.v2!.firstAt - counts.releases.v1!.lastAt,
    produced,
    missing: counts.missing,
    duplicated: counts.duplicated,
    blueStateMb: Math.round(blueState / MB),
    greenStateMb: Math.round(greenState / MB),
    totalMs: result.totalMs,
  }
}

/** The state size of a completed checkpoint of `jobid` holding at least `mb` MB. */
async function checkpointHolding(client: FlinkClient, jobid: string, mb: number): Promise<number> {
  return vi.waitFor(
    async () => {
      const size = (await client.checkpoints.statistics({ jobid })).latest.completed?.state_size ?? 0
      if (size < mb * MB)
        throw new Error(`latest checkpoint of ${jobid} holds ${size} bytes, waiting for ${mb} MB`)
      return size
    },
    { timeout: 60_000, interval: 500 },
  )
}

/**
 * One Flink version per run, to keep the real-Flink suite's time down (about 2 minutes a version): the default
 * (2.3) when selected, else the first FLINK_VERSION names (FLINK_VERSION=1.20 runs it on 1.20). What this test
 * adds is the state's size; the hand-over itself, and its ledger, are tested on both versions by the other
 * hand-over tests, and the pause's independence of the state comes from green restoring beside a blue that
 * writes on, the same on both. Both versions pass it (1 MB vs 75 MB: 2.3 142 vs 188 ms, 1.20 282 vs 262 ms).
 */
const versions = selectedFlinkVersions()
const version = versions.includes(resolveFlinkVersion()) ? resolveFlinkVersion() : versions[0]!

describe(`kafka hand-over with state on real Flink ${version}`, () => {
  const ground = useKafkaGround(version)

  it('hand-over with 75 MB of keyed state: the output pause is no longer than with 1 MB, 0 missing, 0 duplicated', async () => {
    // The large state first: the small one then runs on the warmer cluster, which favours the small one.
    const large = await handOver(ground(), 75)
    const small = await handOver(ground(), 1)
    for (const row of [small, large])
      console.log(
        `Flink ${version} hand-over with ${row.mb} MB of keyed state (checkpoints: blue ${row.blueStateMb} MB, green ${row.greenStateMb} MB): output pause ${row.pauseMs} ms (from T${row.pauseFromCutoverMs >= 0 ? '+' : ''}${row.pauseFromCutoverMs} ms; blue's last to green's first record ${row.switchMs} ms), ${row.produced} produced, ${row.missing} missing, ${row.duplicated} duplicated, total ${row.totalMs} ms`,
      )
    for (const row of [small, large]) expect(row).toMatchObject({ missing: 0, duplicated: 0 })
    expect(large.pauseMs).toBeLessThanOrEqual(PAUSE_BAR_MS)
    expect(large.pauseMs).toBeLessThanOrEqual(small.pauseMs + NOISE_MS)
  }, 420_000)
})
