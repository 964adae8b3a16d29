import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FlinkResponseShapeError, InvalidArgumentError } from '../../errors.ts'
import { type MockedFlink, mockFlink, testRouteGroup } from './route-test-kit.ts'
import { vertexRoutes } from './vertices.ts'

const jobid = '5d3c6e0f4a8b41e29c7f2a1b3d4e5f60'
const vertexid = 'cbc357ccb763df2852fee8c4fc7d55f2'
const base = `/jobs/${jobid}/vertices/${vertexid}`
const tm0 = '127.0.0.1:41231-7f2c1a'
const tm1 = '127.0.0.1:41233-9b0e44'

const ioMetrics = (records: number) => ({
  'read-bytes': 0,
  'read-bytes-complete': true,
  'write-bytes': records * 64,
  'write-bytes-complete': true,
  'read-records': 0,
  'read-records-complete': true,
  'write-records': records,
  'write-records-complete': true,
  'accumulated-backpressured-time': 0,
  'accumulated-idle-time': 118_012,
  // Jackson writes a NaN double as a string; busy time is NaN when its measurement is off.
  'accumulated-busy-time': 'NaN',
})

const stats = (value: number) => ({
  min: value,
  max: value,
  avg: value,
  sum: value * 2,
  median: value,
  p25: value,
  p75: value,
  p95: value,
})

/** A 2.3 subtask attempt: `endpoint`, no `host`. */
const attempt = (subtask: number, attemptNumber = 0) => ({
  subtask,
  status: 'RUNNING',
  attempt: attemptNumber,
  endpoint: 'localhost:35617',
  'start-time': 1767311880123,
  'end-time': -1,
  duration: 119877,
  metrics: ioMetrics(20_480 + subtask),
  'taskmanager-id': subtask === 0 ? tm0 : tm1,
  'status-duration': { CREATED: 4, SCHEDULED: 38, DEPLOYING: 117, INITIALIZING: 312, RUNNING: 119406 },
})

const accumulators = [{ name: 'bad-records', type: 'LongCounter', value: '3' }]

testRouteGroup('vertices', vertexRoutes, [
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid',
    args: { jobid, vertexid },
    path: base,
    response: {
      id: vertexid,
      name: 'Source: datagen -> Map',
      maxParallelism: 128,
      parallelism: 2,
      now: 1767312000000,
      subtasks: [
        attempt(0),
        { ...attempt(1), 'other-concurrent-attempts': [{ ...attempt(1, 1), status: 'DEPLOYING' }] },
      ],
      aggregated: {
        metrics: {
          'read-bytes': stats(0),
          'write-records': stats(20_480),
          'accumulated-busy-time': stats(0),
        },
        'status-duration': { RUNNING: stats(119406), CREATED: stats(4) },
      },
      'some-future-field': { nested: true },
    },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/accumulators',
    args: { jobid, vertexid },
    path: `${base}/accumulators`,
    response: { id: vertexid, 'user-accumulators': accumulators },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/backpressure',
    args: { jobid, vertexid },
    path: `${base}/backpressure`,
    response: {
      status: 'ok',
      backpressureLevel: 'low',
      'end-timestamp': 1767312000456,
      subtasks: [
        {
          subtask: 0,
          'attempt-number': 0,
          backpressureLevel: 'ok',
          ratio: 0.02,
          idleRatio: 0.9,
          busyRatio: 0.08,
        },
        {
          subtask: 1,
          'attempt-number': 0,
          backpressureLevel: 'low',
          ratio: 0.31,
          idleRatio: 0.2,
          busyRatio: 'NaN',
          'other-concurrent-attempts': [
            {
              subtask: 1,
              'attempt-number': 1,
              backpressureLevel: 'ok',
              ratio: 0,
              idleRatio: 1,
              busyRatio: 0,
            },
          ],
        },
      ],
      'future-field': 1,
    },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/flamegraph',
    args: { jobid, vertexid, query: { type: 'ON_CPU', subtaskindex: 1 } },
    path: `${base}/flamegraph?type=ON_CPU&subtaskindex=1`,
    response: {
      endTimestamp: 1767312000789,
      data: {
        name: 'root',
        value: 40,
        children: [
          {
            name: 'org.apache.flink.streaming.runtime.tasks.StreamTask.invoke:813',
            value: 40,
            children: [{ name: 'java.lang.Thread.run:840', value: 40, children: [] }],
          },
        ],
      },
      'future-field': 'x',
    },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/metrics',
    args: { jobid, vertexid, query: { get: ['numRecordsIn', 'numRecordsOut'] } },
    path: `${base}/metrics?get=numRecordsIn%2CnumRecordsOut`,
    response: [
      { id: 'numRecordsIn', value: '0' },
      { id: 'numRecordsOut', value: '40961' },
    ],
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/subtasks/accumulators',
    args: { jobid, vertexid },
    path: `${base}/subtasks/accumulators`,
    // A 1.20 answer: `host` next to `endpoint`.
    response: {
      id: vertexid,
      parallelism: 2,
      subtasks: [
        {
          subtask: 0,
          attempt: 0,
          endpoint: 'localhost:35617',
          host: 'localhost',
          'user-accumulators': accumulators,
        },
        { subtask: 1, attempt: 0, endpoint: 'localhost:35617', host: 'localhost', 'user-accumulators': [] },
      ],
    },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/subtasks/metrics',
    args: {
      jobid,
      vertexid,
      query: { get: ['numRecordsInPerSecond'], agg: ['max', 'sum'], subtasks: ['0', '2-3'] },
    },
    path: `${base}/subtasks/metrics?get=numRecordsInPerSecond&agg=max%2Csum&subtasks=0%2C2-3`,
    response: [{ id: 'numRecordsInPerSecond', max: 1024.5, sum: 2901.25 }],
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex',
    args: { jobid, vertexid, subtaskindex: 1 },
    path: `${base}/subtasks/1`,
    response: { ...attempt(1), 'future-field': true },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt',
    args: { jobid, vertexid, subtaskindex: '0', attempt: 2 },
    path: `${base}/subtasks/0/attempts/2`,
    // A 1.20 answer for a failed earlier attempt.
    response: {
      ...attempt(0, 2),
      status: 'FAILED',
      host: 'localhost',
      'end-time': 1767311870000,
      duration: 3210,
    },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt/accumulators',
    args: { jobid, vertexid, subtaskindex: 0, attempt: 0 },
    path: `${base}/subtasks/0/attempts/0/accumulators`,
    response: {
      subtask: 0,
      attempt: 0,
      // ExecutionAttemptID: execution graph id, vertex id, subtask index, attempt number.
      id: `4f2e9a7c1b3d5e6f708192a3b4c5d6e7_${vertexid}_0_0`,
      'user-accumulators': accumulators,
    },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics',
    args: { jobid, vertexid, subtaskindex: 1 },
    path: `${base}/subtasks/1/metrics`,
    // Without `get` Flink lists the available metric ids, without values.
    response: [{ id: 'numRecordsIn' }, { id: 'busyTimeMsPerSecond' }, { id: 'Map.numRecordsOut' }],
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/subtasktimes',
    args: { jobid, vertexid },
    path: `${base}/subtasktimes`,
    response: {
      id: vertexid,
      name: 'Source: datagen -> Map',
      now: 1767312000000,
      subtasks: [
        {
          subtask: 0,
          endpoint: 'localhost:35617',
          duration: 119877,
          timestamps: {
            CREATED: 1767311879600,
            SCHEDULED: 1767311879604,
            DEPLOYING: 1767311880123,
            INITIALIZING: 1767311880240,
            RUNNING: 1767311880552,
          },
        },
      ],
    },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/taskmanagers',
    args: { jobid, vertexid },
    path: `${base}/taskmanagers`,
    response: {
      id: vertexid,
      name: 'Source: datagen -> Map',
      now: 1767312000000,
      taskmanagers: [
        {
          endpoint: 'localhost:35617',
          'taskmanager-id': tm0,
          status: 'RUNNING',
          'start-time': 1767311880123,
          'end-time': -1,
          duration: 119877,
          metrics: ioMetrics(40_961),
          'status-counts': {
            CREATED: 0,
            SCHEDULED: 0,
            DEPLOYING: 0,
            INITIALIZING: 0,
            RUNNING: 2,
            FINISHED: 0,
            CANCELING: 0,
            CANCELED: 0,
            FAILED: 0,
            RECONCILING: 0,
          },
          aggregated: {
            metrics: { 'write-records': stats(20_480) },
            'status-duration': { RUNNING: stats(119406) },
          },
        },
      ],
    },
  },
  {
    key: 'GET /jobs/:jobid/vertices/:vertexid/watermarks',
    args: { jobid, vertexid },
    path: `${base}/watermarks`,
    response: [
      { id: '0.currentInputWatermark', value: '1767311999000' },
      { id: '1.currentInputWatermark', value: '-9223372036854775808' },
    ],
  },
])

describe('vertex calls check their arguments', () => {
  let flink: MockedFlink
  beforeEach(() => {
    flink = mockFlink()
  })
  afterEach(async () => {
    flink.agent.assertNoPendingInterceptors()
    await flink.agent.close()
  })
  const sent = () => flink.agent.getCallHistory()?.calls().length ?? 0

  it('rejects a malformed vertex id before sending anything', async () => {
    const error = await flink.client.vertices
      .get({ jobid, vertexid: 'Source: datagen' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'vertexid' })
    expect(sent()).toBe(0)
  })

  it('rejects a subtask index that is not a number', async () => {
    const error = await flink.client.vertices
      .subtask({ jobid, vertexid, subtaskindex: '-1' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'subtaskindex' })
    expect(sent()).toBe(0)
  })

  it('rejects a query value of the wrong type', async () => {
    const metrics = flink.client.vertices.metrics({
      jobid,
      vertexid,
      query: { get: 'numRecordsIn' as never },
    })
    await expect(metrics).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(metrics).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'query.get' })
    const flame = flink.client.vertices.flamegraph({ jobid, vertexid, query: { type: 'CPU' as never } })
    await expect(flame).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'query.type' })
    const range = flink.client.vertices.subtasksMetrics({ jobid, vertexid, query: { subtasks: ['1..3'] } })
    await expect(range).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'query.subtasks.0' })
    expect(sent()).toBe(0)
  })

  it("rejects the spec's {metrics: [...]} shape, which Flink does not send", async () => {
    flink.reply('GET', `${base}/metrics?get=numRecordsIn`, 200, {
      metrics: [{ id: 'numRecordsIn', value: '0' }],
    })
    const error = await flink.client.vertices
      .metrics({ jobid, vertexid, query: { get: ['numRecordsIn'] } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkResponseShapeError)
    expect(error).toMatchObject({ code: 'FLINK_RESPONSE_SHAPE' })
  })

  it('accepts the answer Flink gives while back pressure is not measured yet', async () => {
    flink.reply('GET', `${base}/backpressure`, 200, { status: 'deprecated' })
    await expect(flink.client.vertices.backpressure({ jobid, vertexid })).resolves.toEqual({
      status: 'deprecated',
    })
  })

  it('accepts the flame graph answer of a cluster with flame graphs disabled', async () => {
    flink.reply('GET', `${base}/flamegraph`, 200, { endTimestamp: -2, data: null })
    await expect(flink.client.vertices.flamegraph({ jobid, vertexid })).resolves.toEqual({
      endTimestamp: -2,
      data: null,
    })
  })
})
