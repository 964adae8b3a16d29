/**
 * Cross-cluster moves of the Kafka → exactly-once Kafka job from Flink 1.20 to Flink 2.3 (savepoint on the S3
 * server both clusters share), the producer running through each: the committed output holds every input record
 * exactly once, the 1.20 release's records and then the 2.3 release's.
 *
 * With `--handover gate` the move is a blue-green hand-over across the clusters: green starts on 2.3 from a
 * savepoint of the running blue on 1.20, both gates read one hand-over object (a `file:` object beside the local
 * state file, or jobs/<job>/handover.json in the S3 state store, read by both clusters through
 * flink-s3-fs-hadoop), blue writes the records before T and green those from T on.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileRunStorage, openObjectStore, openStateStore, type RunStorage } from '@flink-deploy/core'
import { type KafkaBroker, startKafkaBroker } from '@flink-deploy/local-kafka'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ndjson, runCli, tempDir } from '../../packages/cli/src/test-kit.ts'
import {
  liveJobs,
  SAVEPOINT_BUCKET,
  startTwoClusters,
  type TwoClusters,
  unfinishedJobs,
} from '../cross-cluster/two-clusters.ts'
import { cliUpgradeArgs, expectExactlyOnce, kafkaPipeline, outputAtLeast } from './kafka-ground.ts'

const HANDOVER = ['--strategy', 'blue-green', '--handover', 'gate', '--handover-margin', '5s']
const PHASES = ['cutover-chosen', 'cutover-published', 'cutover-taken', 'green-passing', 'blue-past-cutover']

describe('kafka cross-cluster move from Flink 1.20 to 2.3', () => {
  let two: TwoClusters
  let broker: KafkaBroker
  beforeAll(async () => {
    ;[two, broker] = await Promise.all([startTwoClusters(), startKafkaBroker()])
  })
  afterAll(async () => {
    await Promise.all([two?.stop(), broker?.stop()])
  })
  // Each test moves its own job; whatever it left running must not take the next one's slots.
  afterEach(async () => {
    if (!two) return
    for (const side of [two.from, two.to]) {
      const { jobs } = await side.client.jobs.overview()
      for (const job of jobs.filter((j) => j.state === 'RUNNING' || j.state === 'RESTARTING'))
        await side.client.jobs.cancel({ jobid: job.jid }).catch(() => {})
    }
  })

  it('kafka move 1.20 → 2.3: 0 missing, 0 duplicated in the committed output', {
    timeout: 300_000,
  }, async () => {
    const { from, to } = two
    const pipeline = await kafkaPipeline(broker, 'shipments')
    const cwd = tempDir('flink-deploy-kafka-move-')
    const cli = (jar: string, release: string, flags: string[] = []) =>
      runCli([...cliUpgradeArgs(from.url, pipeline, jar, release), ...flags], {
        cwd,
        env: two.env,
        timeoutMs: 200_000,
      })
    const producing = await pipeline.produce()
    const first = await cli(from.jar, 'v1')
    expect(first.code, first.stdout + first.stderr).toBe(0)
    await outputAtLeast(pipeline, 300)
    const moved = await cli(to.jar, 'v2', ['--to-flink-url', to.url])
    expect(moved.code, moved.stdout + moved.stderr).toBe(0)
    const r = ndjson(moved.stdout).at(-1)!
    expect(r.outcome).toBe('upgraded')
    expect(await liveJobs(from, 'shipments')).toEqual([])
    expect(await liveJobs(to, 'shipments')).toEqual([{ jid: r.greenJobId, state: 'RUNNING' }])
    await outputAtLeast(pipeline, 300, 'v2')
    const finished = await producing.finish()
    expectExactlyOnce(finished)
    expect(finished.counts.releases.v1?.output).toBeGreaterThan(0)
  })

  /**
   * Green's gate once every subtask reports green-passing (Flink's metric fetcher lags behind the gate): the
   * T each subtask decides with.
   */
  async function greenGatePassing(jobid: string): Promise<(string | undefined)[]> {
    const { vertices } = await two.to.client.jobs.get({ jobid })
    const vertex = vertices.find((v) => v.name.includes('handover-gate'))!
    const ids = Array.from({ length: vertex.parallelism }, (_, i) =>
      ['state', 'cutoverMillis'].map((m) => `${i}.handover-gate.handover.${m}`),
    ).flat()
    return vi.waitFor(
      async () => {
        const answer = await two.to.client.vertices.metrics({
          jobid,
          vertexid: vertex.id,
          query: { get: ids },
        })
        const of = (m: string) => answer.filter((a) => a.id.endsWith(`.${m}`)).map((a) => a.value)
        const states = of('state')
        if (states.length < vertex.parallelism || states.some((s) => s !== 'green-passing'))
          throw new Error(`green's gate subtasks report ${JSON.stringify(states)}`)
        return of('cutoverMillis')
      },
      { timeout: 30_000, interval: 500 },
    )
  }

  /**
   * v1 on 1.20 with the gate (a first release runs as blue), then the CLI moves it to 2.3 with the hand-over;
   * `flags` say where the run state (and with it the hand-over object) lives, `storage` opens it for the release
   * record. Returns the move's result and its T once the ledger counted every record exactly once.
   */
  async function handOverMove(job: string, storage: (cwd: string) => Promise<RunStorage>, flags: string[]) {
    const { from, to } = two
    const pipeline = await kafkaPipeline(broker, job)
    const cwd = tempDir(`flink-deploy-kafka-hand-over-move-${job}-`)
    const cli = (jar: string, release: string, extra: string[] = []) =>
      runCli([...cliUpgradeArgs(from.url, pipeline, jar, release), ...HANDOVER, ...flags, ...extra], {
        cwd,
        env: two.env,
        timeoutMs: 250_000,
      })
    const producing = await pipeline.produce()
    const first = await cli(from.jar, 'v1')
    expect(first.code, first.stdout + first.stderr).toBe(0)
    const blueId = ndjson(first.stdout).at(-1)!.greenJobId as string
    await outputAtLeast(pipeline, 300, 'v1')

    const started = Date.now()
    const moved = await cli(to.jar, 'v2', ['--to-flink-url', to.url])
    const ended = Date.now()
    expect(moved.code, moved.stdout + moved.stderr).toBe(0)
    const lines = ndjson(moved.stdout)
    const r = lines.at(-1)!
    expect(r).toMatchObject({
      outcome: 'upgraded',
      strategy: 'blue-green',
      blueJobId: blueId,
      clusters: { blue: from.url, green: to.url },
      handover: { phase: 'blue-past-cutover' },
    })
    const cutoverMillis = (r.handover as { cutoverMillis: number }).cutoverMillis
    expect(cutoverMillis).toBeGreaterThan(0)
    expect(lines.filter((e) => e.type === 'handover').map((e) => e.phase)).toEqual(PHASES)

    // Blue stopped with its savepoint on 1.20 (its sink committed what it wrote), green alone on 2.3.
    expect((await from.client.jobs.status({ jobid: blueId })).status).toBe('FINISHED')
    expect(await unfinishedJobs(from, job)).toEqual([])
    const greenId = r.greenJobId as string
    expect(await liveJobs(to, job)).toEqual([{ jid: greenId, state: 'RUNNING' }])
    expect(to.version).toMatch(/^2\.3\./)
    // Blue's gate took T (the phase cutover-taken comes from its metrics); green's gate on 2.3 adopted the
    // object with greenPasses, read from the same place.
    expect(new Set(await greenGatePassing(greenId))).toEqual(new Set([String(cutoverMillis)]))
    const restored = (await to.client.checkpoints.statistics({ jobid: greenId })).latest.restored
    expect(restored).toMatchObject({ is_savepoint: true, external_path: r.savepointPath })
    expect(String(r.savepointPath)).toMatch(/^s3:\/\/savepoints\/savepoints\//)
    // Green on 2.3 is the release of record: the next upgrade starts from it, on its cluster.
    const store = await storage(cwd)
    const record = await store.releases.read(job)
    await store.close()
    expect(record).toMatchObject({
      jobId: greenId,
      flinkUrl: to.url,
      savepointPath: r.savepointPath,
      programArgs: expect.arrayContaining(['v2']),
    })

    await outputAtLeast(pipeline, 300, 'v2')
    const counted = await producing.finish()
    const pause = (await pipeline.ledger.count({ from: started, to: ended })).outputPauseMs
    console.log(
      `hand-over move ${from.version} → ${to.version} (${flags.join(' ') || 'state file'}) at T = ${cutoverMillis}: ${counted.produced} produced, missing ${counted.counts.missing}, duplicated ${counted.counts.duplicated}, output pause ${pause} ms, move ${ended - started} ms; ${JSON.stringify(counted.counts.releases)}`,
    )
    expectExactlyOnce(counted)
    expect(counted.counts.releases.v1?.output).toBeGreaterThan(0)
    expect(counted.counts.releases.v2?.output).toBeGreaterThan(0)
    return { result: r, cutoverMillis, cwd }
  }

  it('kafka hand-over move 1.20 → 2.3 (--handover gate, the object a file beside the state file): 0 missing, 0 duplicated', {
    timeout: 400_000,
  }, async () => {
    const job = 'deliveries'
    const stateFile = (cwd: string) => join(cwd, '.flink-deploy', `${job}.json`)
    const { result, cutoverMillis, cwd } = await handOverMove(
      job,
      async (cwd) => fileRunStorage(stateFile(cwd)),
      [],
    )
    const object = stateFile(cwd).replace(/\.json$/, '.handover.json')
    expect(result.handover).toMatchObject({ path: `file://${object}` })
    expect(JSON.parse(readFileSync(object, 'utf8'))).toMatchObject({ cutoverMillis, greenPasses: true })
  })

  it('kafka hand-over move 1.20 → 2.3 with the object in the S3 state store, read by both gates through s3://: 0 missing, 0 duplicated', {
    timeout: 400_000,
  }, async () => {
    const job = 'returns'
    const store = `s3://${SAVEPOINT_BUCKET}/flink-deploy`
    const open = () => openStateStore(store, { job, ...two.s3.clientConfig() })
    const { result, cutoverMillis } = await handOverMove(job, open, ['--state-store', store])
    expect(result.handover).toMatchObject({ path: `${store}/jobs/${job}/handover.json` })
    expect(await two.s3.listKeys(SAVEPOINT_BUCKET, `flink-deploy/jobs/${job}/`)).toContain(
      `flink-deploy/jobs/${job}/handover.json`,
    )
    const objects = await openObjectStore(store, two.s3.clientConfig())
    const object = await objects.get(`jobs/${job}/handover.json`)
    await objects.close()
    expect(JSON.parse(object!.body)).toMatchObject({ cutoverMillis, greenPasses: true })
  })
})
