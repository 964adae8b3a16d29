import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  FlinkOperationFailedError,
  FlinkOperationTimeoutError,
  FlinkTransportError,
  FlinkUnsupportedError,
} from '../errors.ts'
import { type MockedFlink, mockFlink } from './routes/route-test-kit.ts'

const JOB = '0123456789abcdef0123456789abcdef'
const TRIGGER = 'fedcba9876543210fedcba9876543210'
const inProgress = { status: { id: 'IN_PROGRESS' }, operation: null }

describe('asynchronous operations', () => {
  let flink: MockedFlink
  beforeEach(() => {
    flink = mockFlink()
  })
  afterEach(() => flink.agent.close())

  const statusPath = `/jobs/${JOB}/savepoints/${TRIGGER}`

  it('stop-with-savepoint sends the client trigger id, polls until COMPLETED and returns the location', async () => {
    flink.reply('POST', `/jobs/${JOB}/stop`, 202, { 'request-id': TRIGGER })
    for (let i = 0; i < 3; i++) flink.reply('GET', statusPath, 200, inProgress)
    flink.reply('GET', statusPath, 200, {
      status: { id: 'COMPLETED' },
      operation: { location: 'file:/sp/savepoint-012345-abc' },
    })
    const result = await flink.client.operations.stopWithSavepoint(JOB, {
      triggerId: TRIGGER,
      targetDirectory: 'file:/sp',
    })
    expect(result).toMatchObject({ triggerId: TRIGGER, location: 'file:/sp/savepoint-012345-abc' })
    const calls = flink.agent.getCallHistory()!.calls()
    expect(calls).toHaveLength(5)
    expect(JSON.parse(String(calls[0]!.body))).toEqual({ targetDirectory: 'file:/sp', triggerId: TRIGGER })
  })

  it('polls soon after the trigger and backs off, without fixed sleeps', async () => {
    flink.reply('POST', `/jobs/${JOB}/savepoints`, 202, { 'request-id': TRIGGER })
    const times: number[] = []
    const pool = flink.agent.get('http://flink.test:8081')
    for (let i = 0; i < 5; i++) {
      pool.intercept({ path: `/v1${statusPath}`, method: 'GET' }).reply(() => {
        times.push(performance.now())
        return { statusCode: 200, data: JSON.stringify(inProgress) }
      })
    }
    pool.intercept({ path: `/v1${statusPath}`, method: 'GET' }).reply(200, {
      status: { id: 'COMPLETED' },
      operation: { location: 'file:/sp/1' },
    })
    const started = performance.now()
    await flink.client.operations.savepoint(JOB, { triggerId: TRIGGER })
    expect(times[0]! - started).toBeLessThan(100)
    const gaps = times.slice(1).map((t, i) => t - times[i]!)
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!)
  })

  it('COMPLETED with a failure cause is a failure carrying the Java class and message', async () => {
    flink.reply('POST', `/jobs/${JOB}/savepoints`, 202, { 'request-id': TRIGGER })
    flink.reply('GET', statusPath, 200, {
      status: { id: 'COMPLETED' },
      operation: {
        'failure-cause': {
          class: 'org.apache.flink.runtime.checkpoint.CheckpointException',
          'stack-trace':
            'org.apache.flink.runtime.checkpoint.CheckpointException: Not all required tasks are currently running.\n\tat org.apache.flink...',
          'serialized-throwable': 'rO0AB',
        },
      },
    })
    const error = (await flink.client.operations
      .savepoint(JOB, { triggerId: TRIGGER })
      .catch((e: unknown) => e)) as FlinkOperationFailedError
    expect(error).toBeInstanceOf(FlinkOperationFailedError)
    expect(error).toMatchObject({
      code: 'FLINK_OPERATION_FAILED',
      triggerId: TRIGGER,
      javaClass: 'org.apache.flink.runtime.checkpoint.CheckpointException',
      javaMessage: 'Not all required tasks are currently running.',
    })
    expect(error.message).toBe(
      `savepoint of job ${JOB} failed in Flink: org.apache.flink.runtime.checkpoint.CheckpointException: Not all required tasks are currently running. (trigger id ${TRIGGER})`,
    )
  })

  it('unwraps a CompletionException to the cause that says what went wrong', async () => {
    flink.reply('POST', `/jobs/${JOB}/savepoints`, 202, { 'request-id': TRIGGER })
    flink.reply('GET', statusPath, 200, {
      status: { id: 'COMPLETED' },
      operation: {
        'failure-cause': {
          class: 'java.util.concurrent.CompletionException',
          'stack-trace':
            'java.util.concurrent.CompletionException: org.apache.flink.runtime.checkpoint.CheckpointException: Not all required tasks are currently running.\n\tat java.base/...',
        },
      },
    })
    await expect(flink.client.operations.savepoint(JOB, { triggerId: TRIGGER })).rejects.toMatchObject({
      javaClass: 'org.apache.flink.runtime.checkpoint.CheckpointException',
      javaMessage: 'Not all required tasks are currently running.',
    })
  })

  it('gives up at the deadline with the trigger id, so the caller can keep waiting later', async () => {
    flink.reply('POST', `/jobs/${JOB}/savepoints`, 202, { 'request-id': TRIGGER })
    flink.agent
      .get('http://flink.test:8081')
      .intercept({ path: `/v1${statusPath}`, method: 'GET' })
      .reply(200, inProgress)
      .persist()
    const error = await flink.client.operations
      .savepoint(JOB, { triggerId: TRIGGER, timeoutMs: 150 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkOperationTimeoutError)
    expect(error).toMatchObject({ code: 'FLINK_OPERATION_TIMEOUT', triggerId: TRIGGER })
  })

  it('stops waiting when the caller aborts', async () => {
    flink.reply('POST', `/jobs/${JOB}/savepoints`, 202, { 'request-id': TRIGGER })
    flink.agent
      .get('http://flink.test:8081')
      .intercept({ path: `/v1${statusPath}`, method: 'GET' })
      .reply(200, inProgress)
      .persist()
    const controller = new AbortController()
    const pending = flink.client.operations.savepoint(JOB, { triggerId: TRIGGER, signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    const error = await pending.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkTransportError)
    expect(error).toMatchObject({ reason: 'ABORTED' })
  })

  it('mints a fresh trigger id per operation when none is given', async () => {
    flink.reply('POST', `/jobs/${JOB}/savepoints`, 202, { 'request-id': TRIGGER })
    flink.reply('GET', statusPath, 200, {
      status: { id: 'COMPLETED' },
      operation: { location: 'file:/sp/2' },
    })
    await flink.client.operations.savepoint(JOB)
    const body = JSON.parse(String(flink.agent.getCallHistory()!.firstCall()!.body))
    expect(body.triggerId).toMatch(/^[0-9a-f]{32}$/)
  })

  it('says clearly that Flink disabled rescaling', async () => {
    flink.reply('PATCH', `/jobs/${JOB}/rescaling?parallelism=4`, 503, {
      errors: ['Rescaling is temporarily disabled. See FLINK-12312.'],
    })
    const error = await flink.client.operations.rescale(JOB, 4).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkUnsupportedError)
    expect((error as Error).message).toContain('Rescaling a running job is disabled in Flink (FLINK-12312)')
    expect(flink.agent.getCallHistory()!.calls()).toHaveLength(1)
  })

  it('checkpoint status failures use the camelCase failureCause', async () => {
    flink.reply('POST', `/jobs/${JOB}/checkpoints`, 202, { 'request-id': TRIGGER })
    flink.reply('GET', `/jobs/${JOB}/checkpoints/${TRIGGER}`, 200, {
      status: { id: 'COMPLETED' },
      operation: {
        failureCause: {
          class: 'java.lang.IllegalStateException',
          'stack-trace': 'java.lang.IllegalStateException: stopped',
        },
      },
    })
    await expect(flink.client.operations.checkpoint(JOB, { triggerId: TRIGGER })).rejects.toMatchObject({
      javaClass: 'java.lang.IllegalStateException',
      javaMessage: 'stopped',
    })
  })
})
