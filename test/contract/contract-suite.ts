/**
 * The contract suite: one sequence of tests that every Flink target must pass, the fake Flink (fake.test.ts)
 * and real Flink 1.20 / 2.3 clusters (real.flink.test.ts). It runs the example job (examples/flink-job) through
 * a blue-green upgrade and calls every route the client declares, by its literal key wherever possible, so
 * scripts/docs.ts and coverage.ts can see which routes are proven on real Flink.
 *
 * Asynchronous state is awaited with `vi.waitFor` and a deadline, never with fixed sleeps. Assertions check what
 * real Flink answers (values, states, paths); where the fake answered differently, the fake was fixed.
 */
import { basename } from 'node:path'
import {
  FlinkApiError,
  type FlinkClient,
  FlinkOperationFailedError,
  FlinkTransportError,
  FlinkUnsupportedError,
} from '@flink-deploy/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'

/** What a target hands the suite. */
export interface ContractTarget {
  client: FlinkClient
  /** Full Flink version the target claims, e.g. '1.20.5'. */
  version: string
  /** The example job's jar for this version. */
  jarPath: string
  /** Deadline of each wait for asynchronous state (a job reaching RUNNING, a metric appearing, ...). */
  timeoutMs: number
  /** Poll interval of those waits. */
  intervalMs: number
  /** Starts a second, throwaway cluster of the same kind, for DELETE /cluster. */
  startThrowaway(): Promise<{ client: FlinkClient; stop(): Promise<void> }>
  /** Stops the target (called in afterAll, also when a test failed). */
  close(): Promise<void>
}

/** The example job (examples/flink-job): its vertices are hashes of the operator uids, the same on 1.20 and 2.x. */
export const EXAMPLE = {
  entryClass: 'dev.flinkdeploy.example.StatefulCounterJob',
  source: { id: '5267f531634cea3174af2885d1dddf09', name: 'Source: events' },
  counter: { id: '0da08f51eaa85fc298e176a139b3649a', name: 'counter -> discard: Writer' },
  /** The counter under `--topology incompatible` (uid counter-incompatible). */
  incompatibleCounter: { id: '10511434f9a075bdc50734dda93f466a' },
} as const

export const BLUE = 'b1ae0000000000000000000000000001'
export const GREEN = '93ee0000000000000000000000000002'
export const FAILING = 'fa11000000000000000000000000000f'
export const UNMAPPED = '0a3a0000000000000000000000000003'

const LONG_MIN = '-9223372036854775808'

/** A promise's rejection (or a failure when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail, it succeeded')
}

export function defineContractSuite(targetName: string, setup: () => Promise<ContractTarget>): void {
  describe(`Flink REST contract (${targetName})`, () => {
    let target: ContractTarget
    let client: FlinkClient
    let wait: { timeout: number; interval: number }
    const major = () => Number(target.version.split('.')[0])
    const atLeast = (ma: number, mi: number) => {
      const [a = 0, b = 0] = target.version.split('.').map(Number)
      return a > ma || (a === ma && b >= mi)
    }

    // Shared by the ordered tests below.
    let jarId = ''
    let savepoint = ''
    let stopSavepoint = ''
    let countBeforeStop = 0
    let taskManagerId = ''

    beforeAll(async () => {
      target = await setup()
      client = target.client
      wait = { timeout: target.timeoutMs, interval: target.intervalMs }
    })

    afterAll(async () => {
      await target?.close()
    })

    const counterMetrics = async (jobid: string) => {
      const values = await client.request('GET /jobs/:jobid/vertices/:vertexid/metrics', {
        jobid,
        vertexid: EXAMPLE.counter.id,
        query: { get: ['0.counter.stateCount', '0.counter.release', '0.counter.processedSinceStart'] },
      })
      return Object.fromEntries(values.map((m) => [m.id, m.value]))
    }

    /** Waits until every task of the job runs (the job is RUNNING well before its tasks are). */
    const allTasksRunning = (jobid: string) =>
      vi.waitFor(async () => {
        const job = await client.request('GET /jobs/:jobid', { jobid })
        expect(job.state).toBe('RUNNING')
        expect(job.vertices.map((v) => v.status)).toEqual(['RUNNING', 'RUNNING'])
      }, wait)

    const statusIs = (jobid: string, status: string) =>
      vi.waitFor(async () => {
        expect((await client.request('GET /jobs/:jobid/status', { jobid })).status).toBe(status)
      }, wait)

    it('GET /config and GET /overview: the version, jar submission, one TaskManager with 4 slots', async () => {
      const config = await client.request('GET /config')
      expect(config['flink-version']).toBe(target.version)
      expect(config.features?.['web-submit']).toBe(true)
      const overview = await client.request('GET /overview')
      expect(overview.taskmanagers).toBe(1)
      expect(overview['slots-total']).toBe(4)
      expect(overview['flink-version']).toBe(target.version)
    })

    it('jars: upload, list, plan (GET and POST) and delete', async () => {
      const uploaded = await client.jars.upload(target.jarPath)
      jarId = uploaded.jarId
      expect(jarId.endsWith(`_${basename(target.jarPath)}`)).toBe(true)

      const { files } = await client.request('GET /jars')
      const listed = files.find((f) => f.id === jarId)
      expect(listed?.name).toBe(basename(target.jarPath))
      expect(listed?.entry?.[0]?.name).toBe(EXAMPLE.entryClass)

      const planned = await client.request('GET /jars/:jarid/plan', { jarid: jarId })
      expect(planned.plan.name).toBe('flink-deploy-example v1')
      expect(planned.plan.nodes.map((n) => n.id).sort()).toEqual(
        [EXAMPLE.counter.id, EXAMPLE.source.id].sort(),
      )
      const counterNode = planned.plan.nodes.find((n) => n.id === EXAMPLE.counter.id)
      expect(counterNode?.inputs?.map((i) => i.id)).toEqual([EXAMPLE.source.id])
      expect(counterNode?.description).toContain('discard: Writer')

      // The incompatible topology changes the stateful operator's uid, hence its vertex id.
      const byQuery = await client.request('GET /jars/:jarid/plan', {
        jarid: jarId,
        query: { programArg: ['--topology', 'incompatible'] },
      })
      expect(byQuery.plan.nodes.map((n) => n.id).sort()).toEqual(
        [EXAMPLE.incompatibleCounter.id, EXAMPLE.source.id].sort(),
      )
      const byBody = await client.request('POST /jars/:jarid/plan', {
        jarid: jarId,
        body: { programArgsList: ['--release', 'v2', '--topology', 'incompatible'], parallelism: 2 },
      })
      expect(byBody.plan.name).toBe('flink-deploy-example v2')
      expect(byBody.plan.nodes.map((n) => [n.id, n.parallelism]).sort()).toEqual(
        [
          [EXAMPLE.incompatibleCounter.id, 2],
          [EXAMPLE.source.id, 2],
        ].sort(),
      )
      // main() rejects the arguments: for a plan Flink answers 500 (a run answers 400), with main()'s exception.
      const badArgs = await rejection(
        client.request('POST /jars/:jarid/plan', {
          jarid: jarId,
          body: { programArgsList: ['--release', 'v3'] },
        }),
      )
      expect(badArgs).toBeInstanceOf(FlinkApiError)
      expect((badArgs as FlinkApiError).status).toBe(500)
      expect((badArgs as FlinkApiError).errors.join('\n')).toContain('--release must be v1 or v2, got: v3')

      // A second copy is deleted; deleting it again is Flink's 400.
      // 'POST /jars/upload' is called through client.jars.upload: by its key (client.request) the call passes its
      // `body` on to the GET /jobmanager/config lookup of the upload limit, which refuses it (client bug).
      const copy = await client.jars.upload(target.jarPath)
      expect(copy.jarId).not.toBe(jarId)
      await client.request('DELETE /jars/:jarid', { jarid: copy.jarId })
      const after = (await client.request('GET /jars')).files.map((f) => f.id)
      expect(after).toContain(jarId)
      expect(after).not.toContain(copy.jarId)
      const again = await rejection(client.request('DELETE /jars/:jarid', { jarid: copy.jarId }))
      expect(again).toMatchObject({ status: 400 })
      expect((again as FlinkApiError).errors[0]).toContain('does not exist')
    })

    it('POST /jars/:jarid/run with a fixed jobId; the job reaches RUNNING, then all its tasks', async () => {
      const run = await client.request('POST /jars/:jarid/run', {
        jarid: jarId,
        body: { jobId: BLUE, programArgsList: ['--release', 'v1', '--rate', '200'] },
      })
      expect(run.jobid).toBe(BLUE)
      if (atLeast(2, 3)) expect(run.applicationId).toBe(BLUE)
      // A bad release that crashes one second after starting, without restarts: checked further down.
      await client.request('POST /jars/:jarid/run', {
        jarid: jarId,
        body: { jobId: FAILING, programArgsList: ['--fail-after', '1', '--restart-attempts', '0'] },
      })
      const badRun = await rejection(
        client.request('POST /jars/:jarid/run', {
          jarid: jarId,
          body: { programArgsList: ['--release', 'v3'] },
        }),
      )
      expect(badRun).toMatchObject({ status: 400 })
      expect((badRun as FlinkApiError).errors.join('\n')).toContain('--release must be v1 or v2, got: v3')
      // The same job id twice is refused.
      const duplicate = await rejection(
        client.request('POST /jars/:jarid/run', { jarid: jarId, body: { jobId: BLUE } }),
      )
      expect(duplicate).toMatchObject({ status: 400 })
      // 2.3 submits applications: the duplicate is the application (its id is the job id).
      expect((duplicate as FlinkApiError).errors.join('\n')).toContain(
        atLeast(2, 3) ? 'DuplicateApplicationSubmissionException' : 'DuplicateJobSubmissionException',
      )
      await allTasksRunning(BLUE)
    })

    it('job views: list, overview, details, status, config, plan', async () => {
      const { jobs } = await client.request('GET /jobs')
      expect(jobs).toContainEqual(expect.objectContaining({ id: BLUE, status: 'RUNNING' }))

      const overview = (await client.request('GET /jobs/overview')).jobs.find((j) => j.jid === BLUE)
      expect(overview?.name).toBe('flink-deploy-example v1')
      expect(overview?.state).toBe('RUNNING')
      expect(overview?.tasks).toMatchObject({ running: 2, total: 2 })

      const details = await client.request('GET /jobs/:jobid', { jobid: BLUE })
      expect(details.jid).toBe(BLUE)
      expect(details.vertices.map((v) => [v.id, v.name, v.parallelism])).toEqual([
        [EXAMPLE.source.id, EXAMPLE.source.name, 1],
        [EXAMPLE.counter.id, EXAMPLE.counter.name, 1],
      ])
      expect(details.timestamps.RUNNING).toBeGreaterThanOrEqual(details.timestamps.INITIALIZING ?? 0)
      expect(details['end-time']).toBe(-1)

      expect(await client.request('GET /jobs/:jobid/status', { jobid: BLUE })).toEqual({ status: 'RUNNING' })

      const config = await client.request('GET /jobs/:jobid/config', { jobid: BLUE })
      expect(config.jid).toBe(BLUE)
      expect(config['execution-config']?.['job-parallelism']).toBe(1)

      const { plan } = await client.request('GET /jobs/:jobid/plan', { jobid: BLUE })
      expect(plan.jid).toBe(BLUE)
      expect(plan.nodes.map((n) => n.id).sort()).toEqual([EXAMPLE.counter.id, EXAMPLE.source.id].sort())
    })

    it('vertex views: details, subtask, attempts, subtask times, task managers, accumulators', async () => {
      const args = { jobid: BLUE, vertexid: EXAMPLE.counter.id }
      const vertex = await client.request('GET /jobs/:jobid/vertices/:vertexid', args)
      expect(vertex).toMatchObject({ id: EXAMPLE.counter.id, name: EXAMPLE.counter.name, parallelism: 1 })
      expect(vertex.subtasks).toHaveLength(1)
      expect(vertex.subtasks[0]).toMatchObject({ subtask: 0, status: 'RUNNING', attempt: 0 })
      taskManagerId = String(vertex.subtasks[0]?.['taskmanager-id'])

      const subtask = await client.request('GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex', {
        ...args,
        subtaskindex: 0,
      })
      expect(subtask).toMatchObject({
        subtask: 0,
        status: 'RUNNING',
        attempt: 0,
        'taskmanager-id': taskManagerId,
      })
      const attempt = await client.request(
        'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt',
        { ...args, subtaskindex: 0, attempt: 0 },
      )
      expect(attempt).toMatchObject({ subtask: 0, attempt: 0, status: 'RUNNING' })
      const noAttempt = await rejection(
        client.request('GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt', {
          ...args,
          subtaskindex: 0,
          attempt: 1,
        }),
      )
      expect(noAttempt).toMatchObject({ status: 404 })
      const noSubtask = await rejection(
        client.request('GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex', {
          ...args,
          subtaskindex: 3,
        }),
      )
      expect(noSubtask).toMatchObject({ status: 404 })

      const times = await client.request('GET /jobs/:jobid/vertices/:vertexid/subtasktimes', args)
      expect(times.id).toBe(EXAMPLE.counter.id)
      const stamps = times.subtasks[0]?.timestamps as Record<string, number>
      expect(stamps.RUNNING).toBeGreaterThan(0)
      expect(stamps.RUNNING).toBeGreaterThanOrEqual(stamps.DEPLOYING ?? 0)

      const onTaskManagers = await client.request('GET /jobs/:jobid/vertices/:vertexid/taskmanagers', args)
      expect(onTaskManagers.taskmanagers).toHaveLength(1)
      expect(onTaskManagers.taskmanagers[0]).toMatchObject({
        status: 'RUNNING',
        'taskmanager-id': taskManagerId,
      })

      // The example job registers no accumulators: every accumulator view is empty.
      expect(await client.request('GET /jobs/:jobid/accumulators', { jobid: BLUE })).toMatchObject({
        'job-accumulators': [],
        'user-task-accumulators': [],
      })
      expect(await client.request('GET /jobs/:jobid/vertices/:vertexid/accumulators', args)).toMatchObject({
        id: EXAMPLE.counter.id,
        'user-accumulators': [],
      })
      const perSubtask = await client.request(
        'GET /jobs/:jobid/vertices/:vertexid/subtasks/accumulators',
        args,
      )
      expect(perSubtask).toMatchObject({ id: EXAMPLE.counter.id, parallelism: 1 })
      expect(perSubtask.subtasks).toMatchObject([{ subtask: 0, attempt: 0, 'user-accumulators': [] }])
      const ofAttempt = await client.request(
        'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt/accumulators',
        { ...args, subtaskindex: 0, attempt: 0 },
      )
      expect(ofAttempt).toMatchObject({ subtask: 0, attempt: 0, 'user-accumulators': [] })
    })

    it('watermarks, back pressure and flame graph', async () => {
      // The source has no input; the counter's input watermark is Long.MIN_VALUE (the job emits none).
      expect(
        await client.request('GET /jobs/:jobid/vertices/:vertexid/watermarks', {
          jobid: BLUE,
          vertexid: EXAMPLE.source.id,
        }),
      ).toEqual([])
      expect(
        await client.request('GET /jobs/:jobid/vertices/:vertexid/watermarks', {
          jobid: BLUE,
          vertexid: EXAMPLE.counter.id,
        }),
      ).toEqual([{ id: '0.currentInputWatermark', value: LONG_MIN }])

      const pressure = await client.request('GET /jobs/:jobid/vertices/:vertexid/backpressure', {
        jobid: BLUE,
        vertexid: EXAMPLE.counter.id,
      })
      expect(pressure.status).toBe('ok')
      expect(pressure.backpressureLevel).toBe('ok')
      expect(pressure.subtasks?.map((s) => s.subtask)).toEqual([0])

      // The first request starts sampling ({endTimestamp: -3}); the sampled tree follows.
      await vi.waitFor(async () => {
        const graph = await client.request('GET /jobs/:jobid/vertices/:vertexid/flamegraph', {
          jobid: BLUE,
          vertexid: EXAMPLE.counter.id,
        })
        expect(graph.endTimestamp).toBeGreaterThan(0)
        expect(graph.data?.name).toBe('root')
        expect(graph.data?.children?.length).toBeGreaterThan(0)
      }, wait)
    })

    it('metrics: job, vertex (the stateCount gauge), subtask, aggregated over subtasks, jobs and task managers', async () => {
      const jobIds = (await client.request('GET /jobs/:jobid/metrics', { jobid: BLUE })).map((m) => m.id)
      expect(jobIds).toEqual(
        expect.arrayContaining(['numRestarts', 'uptime', 'numberOfCompletedCheckpoints']),
      )
      await vi.waitFor(async () => {
        const values = await client.request('GET /jobs/:jobid/metrics', {
          jobid: BLUE,
          query: { get: ['numRestarts', 'uptime'] },
        })
        const byId = Object.fromEntries(values.map((m) => [m.id, Number(m.value)]))
        expect(byId.numRestarts).toBe(0)
        expect(byId.uptime).toBeGreaterThan(0)
      }, wait)

      const vertexIds = (
        await client.request('GET /jobs/:jobid/vertices/:vertexid/metrics', {
          jobid: BLUE,
          vertexid: EXAMPLE.counter.id,
        })
      ).map((m) => m.id)
      expect(vertexIds).toEqual(
        expect.arrayContaining([
          '0.counter.stateCount',
          '0.counter.release',
          '0.counter.processedSinceStart',
        ]),
      )
      // Metric values lag (Flink's metric fetcher): poll until the gauge counts.
      let count = 0
      await vi.waitFor(async () => {
        const m = await counterMetrics(BLUE)
        expect(m['0.counter.release']).toBe('v1')
        count = Number(m['0.counter.stateCount'])
        expect(count).toBeGreaterThan(0)
        // Never restored: everything counted was processed since the start.
        expect(Number(m['0.counter.processedSinceStart'])).toBe(count)
      }, wait)

      await vi.waitFor(async () => {
        const one = await client.request(
          'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics',
          {
            jobid: BLUE,
            vertexid: EXAMPLE.counter.id,
            subtaskindex: 0,
            query: { get: ['counter.stateCount'] },
          },
        )
        expect(one).toHaveLength(1)
        expect(Number(one[0]?.value)).toBeGreaterThanOrEqual(count)
      }, wait)
      const subtaskIds = await client.request(
        'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics',
        {
          jobid: BLUE,
          vertexid: EXAMPLE.counter.id,
          subtaskindex: 0,
        },
      )
      expect(subtaskIds.map((m) => m.id)).toContain('counter.stateCount')

      await vi.waitFor(async () => {
        const [aggregated] = await client.request('GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics', {
          jobid: BLUE,
          vertexid: EXAMPLE.counter.id,
          query: { get: ['counter.stateCount'], agg: ['sum', 'max'] },
        })
        expect(aggregated?.id).toBe('counter.stateCount')
        expect(aggregated?.sum).toBeGreaterThanOrEqual(count)
        expect(aggregated?.max).toBe(aggregated?.sum)
      }, wait)

      await vi.waitFor(async () => {
        const [restarts] = await client.request('GET /jobs/metrics', {
          query: { get: ['numRestarts'], agg: ['sum'] },
        })
        expect(restarts).toMatchObject({ id: 'numRestarts', sum: 0 })
      }, wait)

      await vi.waitFor(async () => {
        const [load] = await client.request('GET /taskmanagers/metrics', {
          query: { get: ['Status.JVM.Memory.Heap.Used'], agg: ['max'] },
        })
        expect(load?.id).toBe('Status.JVM.Memory.Heap.Used')
        expect(load?.max).toBeGreaterThan(0)
      }, wait)
    })

    it('checkpoints: statistics, details, subtask details, config, triggered checkpoint', async () => {
      const config = await client.request('GET /jobs/:jobid/checkpoints/config', { jobid: BLUE })
      expect(config.mode).toBe('exactly_once')
      expect(config.interval).toBeGreaterThan(0)
      expect(config.externalization).toMatchObject({ enabled: true, delete_on_cancellation: false })

      let completedId = 0
      await vi.waitFor(async () => {
        const stats = await client.request('GET /jobs/:jobid/checkpoints', { jobid: BLUE })
        expect(stats.counts.completed).toBeGreaterThan(0)
        completedId = Number(stats.latest.completed?.id)
        expect(stats.latest.completed?.external_path).toMatch(/^file:\//)
        expect(stats.latest.restored ?? null).toBeNull()
      }, wait)

      const details = await client.request('GET /jobs/:jobid/checkpoints/details/:checkpointid', {
        jobid: BLUE,
        checkpointid: completedId,
      })
      expect(details).toMatchObject({ id: completedId, status: 'COMPLETED', is_savepoint: false })
      expect(Object.keys(details.tasks ?? {}).sort()).toEqual([EXAMPLE.counter.id, EXAMPLE.source.id].sort())

      const perSubtask = await client.request(
        'GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid',
        { jobid: BLUE, checkpointid: completedId, vertexid: EXAMPLE.counter.id },
      )
      expect(perSubtask).toMatchObject({ id: completedId, status: 'COMPLETED', num_subtasks: 1 })
      expect(perSubtask.subtasks?.[0]).toMatchObject({ index: 0, status: 'completed' })
      // The counter holds state: its part of the checkpoint is not empty.
      expect(Number(perSubtask.state_size)).toBeGreaterThan(0)

      // A triggered checkpoint, by the operation helper and by its status route.
      const triggered = await client.operations.checkpoint(BLUE, { timeoutMs: target.timeoutMs })
      expect(triggered.checkpointId).toBeGreaterThan(completedId)
      const status = await client.request('GET /jobs/:jobid/checkpoints/:triggerid', {
        jobid: BLUE,
        triggerid: triggered.triggerId,
      })
      expect(status.status.id).toBe('COMPLETED')
      expect(status.operation?.checkpointId).toBe(triggered.checkpointId)
      const manual = await client.request('POST /jobs/:jobid/checkpoints', { jobid: BLUE, body: {} })
      expect(manual['request-id']).toMatch(/^[0-9a-f]{32}$/)
    })

    it('savepoint as an asynchronous operation: trigger (idempotent trigger id), poll, location', async () => {
      const triggerId = '5a7e0000000000000000000000000001'
      const first = await client.request('POST /jobs/:jobid/savepoints', { jobid: BLUE, body: { triggerId } })
      const second = await client.request('POST /jobs/:jobid/savepoints', {
        jobid: BLUE,
        body: { triggerId },
      })
      expect(first['request-id']).toBe(triggerId)
      expect(second['request-id']).toBe(triggerId)
      await vi.waitFor(async () => {
        const status = await client.request('GET /jobs/:jobid/savepoints/:triggerid', {
          jobid: BLUE,
          triggerid: triggerId,
        })
        expect(status.status.id).toBe('COMPLETED')
        savepoint = String(status.operation?.location)
      }, wait)
      // Flink writes the scheme with a single slash and names the folder after the job id.
      expect(savepoint).toMatch(new RegExp(`^file:/[^/].*/savepoint-${BLUE.slice(0, 6)}-[0-9a-f]{12}$`))
      await vi.waitFor(async () => {
        const stats = await client.request('GET /jobs/:jobid/checkpoints', { jobid: BLUE })
        expect(stats.latest.savepoint?.external_path).toBe(savepoint)
        expect(stats.latest.savepoint?.is_savepoint).toBe(true)
      }, wait)
      // The helper's savepoint is a second, distinct one.
      const helper = await client.operations.savepoint(BLUE, { timeoutMs: target.timeoutMs })
      expect(helper.location).not.toBe(savepoint)
      expect(await client.request('GET /jobs/:jobid/status', { jobid: BLUE })).toEqual({ status: 'RUNNING' })
    })

    it('stop-with-savepoint: the job ends FINISHED, its result SUCCEEDED; cancelling it is a 409', async () => {
      await vi.waitFor(async () => {
        countBeforeStop = Number((await counterMetrics(BLUE))['0.counter.stateCount'])
        expect(countBeforeStop).toBeGreaterThan(0)
      }, wait)
      const triggerId = '5a7e0000000000000000000000000002'
      const trigger = await client.request('POST /jobs/:jobid/stop', { jobid: BLUE, body: { triggerId } })
      expect(trigger['request-id']).toBe(triggerId)
      stopSavepoint = await client.operations.awaitSavepoint(BLUE, triggerId, { timeoutMs: target.timeoutMs })
      expect(stopSavepoint).toMatch(/^file:\/[^/]/)
      expect(stopSavepoint).not.toBe(savepoint)
      await statusIs(BLUE, 'FINISHED')
      const details = await client.request('GET /jobs/:jobid', { jobid: BLUE })
      expect(details['end-time']).toBeGreaterThan(details['start-time'])
      expect(details.vertices.map((v) => v.status)).toEqual(['FINISHED', 'FINISHED'])

      const result = await client.request('GET /jobs/:jobid/execution-result', { jobid: BLUE })
      expect(result.status.id).toBe('COMPLETED')
      expect(result['job-execution-result']).toMatchObject({ id: BLUE, 'application-status': 'SUCCEEDED' })

      const cancel = await rejection(client.request('PATCH /jobs/:jobid', { jobid: BLUE }))
      expect(cancel).toMatchObject({ status: 409 })
      expect((cancel as FlinkApiError).errors[0]).toContain(
        'already reached another terminal state (FINISHED)',
      )
    })

    it('run from the savepoint: restored from exactly that path, state continues, release v2', async () => {
      const run = await client.request('POST /jars/:jarid/run', {
        jarid: jarId,
        body: {
          jobId: GREEN,
          savepointPath: stopSavepoint,
          claimMode: 'NO_CLAIM',
          programArgsList: ['--release', 'v2', '--rate', '200'],
        },
      })
      expect(run.jobid).toBe(GREEN)
      await vi.waitFor(async () => {
        const stats = await client.request('GET /jobs/:jobid/checkpoints', { jobid: GREEN })
        expect(stats.counts.restored).toBe(1)
        expect(stats.latest.restored?.external_path).toBe(stopSavepoint)
        expect(stats.latest.restored?.is_savepoint).toBe(true)
      }, wait)
      await allTasksRunning(GREEN)
      await vi.waitFor(async () => {
        const m = await counterMetrics(GREEN)
        expect(m['0.counter.release']).toBe('v2')
        const count = Number(m['0.counter.stateCount'])
        expect(count).toBeGreaterThanOrEqual(countBeforeStop)
        // What was restored is the count before the stop: the state survived the upgrade.
        expect(count - Number(m['0.counter.processedSinceStart'])).toBeGreaterThanOrEqual(countBeforeStop)
      }, wait)

      // Dropping the stateful operator without allowNonRestoredState: main() fails, the job is listed FAILED.
      const unmapped = await rejection(
        client.request('POST /jars/:jarid/run', {
          jarid: jarId,
          body: {
            jobId: UNMAPPED,
            savepointPath: stopSavepoint,
            programArgsList: ['--topology', 'incompatible'],
          },
        }),
      )
      expect(unmapped).toMatchObject({ status: 400 })
      expect((unmapped as FlinkApiError).errors.join('\n')).toContain('Could not execute application.')
      await statusIs(UNMAPPED, 'FAILED')
      const why = await client.request('GET /jobs/:jobid/exceptions', { jobid: UNMAPPED })
      const entry = why.exceptionHistory.entries[0]
      expect(entry?.exceptionName).toBe('org.apache.flink.runtime.client.JobInitializationException')
      expect(entry?.stacktrace).toContain(
        `Cannot map checkpoint/savepoint state for operator ${EXAMPLE.counter.id}`,
      )
    })

    it('rescaling is disabled (typed FlinkUnsupportedError); resource requirements need the adaptive scheduler', async () => {
      const job = GREEN
      const rescale = await rejection(client.operations.rescale(job, 2, { timeoutMs: target.timeoutMs }))
      expect(rescale).toBeInstanceOf(FlinkUnsupportedError)
      const direct = await rejection(
        client.request('PATCH /jobs/:jobid/rescaling', { jobid: job, query: { parallelism: 2 } }),
      )
      expect(direct).toMatchObject({ status: 503 })
      expect((direct as FlinkApiError).errors[0]).toContain(
        'Rescaling is temporarily disabled. See FLINK-12312.',
      )
      const status = await rejection(
        client.request('GET /jobs/:jobid/rescaling/:triggerid', {
          jobid: job,
          triggerid: 'ca1e0000000000000000000000000000',
        }),
      )
      expect(status).toMatchObject({ status: 503 })

      // The default scheduler refuses both resource requirement endpoints (500, UnsupportedOperationException).
      const requirements = await rejection(
        client.request('GET /jobs/:jobid/resource-requirements', { jobid: GREEN }),
      )
      expect(requirements).toMatchObject({ status: 500 })
      expect((requirements as FlinkApiError).errors.join('\n')).toContain(
        'The DefaultScheduler does not support changing the parallelism',
      )
      const update = await rejection(
        client.request('PUT /jobs/:jobid/resource-requirements', {
          jobid: GREEN,
          body: {
            [EXAMPLE.source.id]: { parallelism: { lowerBound: 1, upperBound: 2 } },
            [EXAMPLE.counter.id]: { parallelism: { lowerBound: 1, upperBound: 2 } },
          },
        }),
      )
      expect(update).toMatchObject({ status: 500 })
      expect((update as FlinkApiError).errors.join('\n')).toContain('UnsupportedOperationException')
    })

    it('exceptions and execution result of a job that fails (--fail-after)', async () => {
      await statusIs(FAILING, 'FAILED')
      const exceptions = await client.request('GET /jobs/:jobid/exceptions', {
        jobid: FAILING,
        query: { maxExceptions: 5 },
      })
      const [root] = exceptions.exceptionHistory.entries
      expect(root?.exceptionName).toBe('org.apache.flink.runtime.JobException')
      expect(root?.stacktrace).toContain('Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy')
      expect(root?.stacktrace).toContain('Simulated bad release v1: failing after 1s (--fail-after)')
      if (major() < 2) expect(exceptions['root-exception']).toContain('Recovery is suppressed')
      else expect(exceptions['root-exception']).toBeUndefined()

      const result = await client.request('GET /jobs/:jobid/execution-result', { jobid: FAILING })
      expect(result['job-execution-result']?.['application-status']).toBe('FAILED')
      expect(result['job-execution-result']?.['failure-cause']?.class).toBe(
        'org.apache.flink.runtime.JobException',
      )
    })

    it('cancel: CANCELED, result CANCELED without failure cause; cancelling again is accepted', async () => {
      const running = await client.request('GET /jobs/:jobid/execution-result', { jobid: GREEN })
      expect(running.status.id).toBe('IN_PROGRESS')
      expect(await client.request('PATCH /jobs/:jobid', { jobid: GREEN })).toEqual({})
      await statusIs(GREEN, 'CANCELED')
      const result = await client.request('GET /jobs/:jobid/execution-result', { jobid: GREEN })
      expect(result['job-execution-result']).toMatchObject({ id: GREEN, 'application-status': 'CANCELED' })
      expect(result['job-execution-result']?.['failure-cause']).toBeUndefined()
      expect(await client.request('PATCH /jobs/:jobid', { jobid: GREEN, query: { mode: 'cancel' } })).toEqual(
        {},
      )
      const exceptions = await client.request('GET /jobs/:jobid/exceptions', { jobid: GREEN })
      expect(exceptions.exceptionHistory.entries).toEqual([])
    })

    it('savepoint disposal: the savepoint is deleted, disposing it again fails with FileNotFoundException', async () => {
      const trigger = await client.request('POST /savepoint-disposal', {
        body: { 'savepoint-path': savepoint },
      })
      await vi.waitFor(async () => {
        const status = await client.request('GET /savepoint-disposal/:triggerid', {
          triggerid: trigger['request-id'],
        })
        expect(status.status.id).toBe('COMPLETED')
        expect(status.operation?.['failure-cause']).toBeUndefined()
      }, wait)
      const again = await rejection(
        client.operations.disposeSavepoint(savepoint, { timeoutMs: target.timeoutMs }),
      )
      expect(again).toBeInstanceOf(FlinkOperationFailedError)
      expect(again).toMatchObject({ javaClass: 'org.apache.flink.util.FlinkException' })
      expect((again as FlinkOperationFailedError).message).toContain('Could not dispose savepoint')
      const unknown = await rejection(
        client.request('GET /savepoint-disposal/:triggerid', {
          triggerid: 'd15f0000000000000000000000000000',
        }),
      )
      expect(unknown).toMatchObject({ status: 404 })
    })

    it('POST /jobs: the client sends only the JSON part, Flink answers 400 (no uploaded JobGraph file)', async () => {
      const error = await rejection(client.request('POST /jobs', { body: { jobGraphFileName: 'job.bin' } }))
      expect(error).toMatchObject({ status: 400 })
      const kind = major() >= 2 ? 'ExecutionPlan' : 'JobGraph'
      expect((error as FlinkApiError).errors[0]).toContain(
        `${kind} file job.bin could not be found on the server.`,
      )
    })

    it('data sets: none on a streaming cluster; deleting an unknown one completes; unknown trigger is a 404', async () => {
      expect(await client.request('GET /datasets')).toEqual({ dataSets: [] })
      const deletion = await client.request('DELETE /datasets/:datasetid', {
        datasetid: 'da7a0000000000000000000000000000',
      })
      await vi.waitFor(async () => {
        const status = await client.request('GET /datasets/delete/:triggerid', {
          triggerid: deletion['request-id'],
        })
        expect(status.status.id).toBe('COMPLETED')
        expect(status.operation?.['failure-cause']).toBeUndefined()
      }, wait)
      await client.operations.deleteDataset('da7a0000000000000000000000000001', {
        timeoutMs: target.timeoutMs,
      })
      const unknown = await rejection(
        client.request('GET /datasets/delete/:triggerid', { triggerid: 'da7a000000000000000000000000ffff' }),
      )
      expect(unknown).toMatchObject({ status: 404 })
    })

    it('task managers: list, details, logs, metrics, thread dump', async () => {
      const { taskmanagers } = await client.request('GET /taskmanagers')
      expect(taskmanagers.map((t) => t.id)).toEqual([taskManagerId])
      expect(taskmanagers[0]).toMatchObject({ slotsNumber: 4 })
      const details = await client.request('GET /taskmanagers/:taskmanagerid', {
        taskmanagerid: taskManagerId,
      })
      expect(details).toMatchObject({ id: taskManagerId, slotsNumber: 4 })
      expect(details.metrics?.heapMax).toBeGreaterThan(0)

      const { logs } = await client.request('GET /taskmanagers/:taskmanagerid/logs', {
        taskmanagerid: taskManagerId,
      })
      expect(logs.some((l) => l.name.endsWith('.log') && l.size > 0)).toBe(true)

      const ids = await client.request('GET /taskmanagers/:taskmanagerid/metrics', {
        taskmanagerid: taskManagerId,
      })
      expect(ids.map((m) => m.id)).toContain('Status.JVM.Memory.Heap.Max')
      const [heap] = await client.request('GET /taskmanagers/:taskmanagerid/metrics', {
        taskmanagerid: taskManagerId,
        query: { get: ['Status.JVM.Memory.Heap.Max'] },
      })
      expect(Number(heap?.value)).toBeGreaterThan(0)

      const dump = await client.request('GET /taskmanagers/:taskmanagerid/thread-dump', {
        taskmanagerid: taskManagerId,
      })
      expect(dump.threadInfos.some((t) => t.threadName === 'main')).toBe(true)
      expect(dump.threadInfos[0]?.stringifiedThreadInfo).toContain('Id=')
    })

    it('job manager: configuration, environment, logs, metrics, thread dump', async () => {
      const config = await client.request('GET /jobmanager/config')
      const entries = Object.fromEntries(config.map((e) => [e.key, e.value]))
      expect(entries['taskmanager.numberOfTaskSlots']).toBe('4')
      expect(entries['parallelism.default']).toBe('1')

      const environment = await client.request('GET /jobmanager/environment')
      expect(environment.jvm.version).toContain('17')
      expect(environment.classpath.length).toBeGreaterThan(0)

      const { logs } = await client.request('GET /jobmanager/logs')
      expect(logs.some((l) => l.name.endsWith('.log') && l.size > 0)).toBe(true)

      const ids = (await client.request('GET /jobmanager/metrics')).map((m) => m.id)
      expect(ids).toEqual(expect.arrayContaining(['taskSlotsTotal', 'numRegisteredTaskManagers']))
      await vi.waitFor(async () => {
        const values = await client.request('GET /jobmanager/metrics', {
          query: { get: ['taskSlotsTotal', 'numRegisteredTaskManagers'] },
        })
        expect(Object.fromEntries(values.map((m) => [m.id, m.value]))).toEqual({
          taskSlotsTotal: '4',
          numRegisteredTaskManagers: '1',
        })
      }, wait)

      const dump = await client.request('GET /jobmanager/thread-dump')
      expect(dump.threadInfos.some((t) => t.threadName === 'main')).toBe(true)
    })

    it('DELETE /cluster shuts a throwaway cluster down', async () => {
      const throwaway = await target.startThrowaway()
      try {
        expect((await throwaway.client.request('GET /overview')).taskmanagers).toBe(1)
        expect(await throwaway.client.request('DELETE /cluster')).toEqual({})
        await vi.waitFor(async () => {
          const error = await rejection(throwaway.client.request('GET /overview', { timeoutMs: 2_000 }))
          expect(error).toBeInstanceOf(FlinkTransportError)
        }, wait)
      } finally {
        await throwaway.stop()
      }
      // The target itself still answers.
      expect((await client.request('GET /overview')).taskmanagers).toBe(1)
    })
  })
}
