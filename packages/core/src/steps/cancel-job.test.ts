import { afterEach, describe, expect, it } from 'vitest'
import { type MockedFlink, mockFlink } from '../client/routes/route-test-kit.ts'
import { cancelIfRecovered } from './cancel-job.ts'

const JOB = '0123456789abcdef0123456789abcdef'

describe('cancelIfRecovered', () => {
  let flink: MockedFlink
  afterEach(async () => {
    await flink.agent.close()
  })

  it('cancels a stopped job that a failed-over JobManager recovered and runs again', async () => {
    flink = mockFlink()
    flink.reply('GET', `/jobs/${JOB}/status`, 200, { status: 'RUNNING' })
    flink.reply('PATCH', `/jobs/${JOB}?mode=cancel`, 202, {})
    flink.reply('GET', `/jobs/${JOB}/status`, 200, { status: 'CANCELED' })
    await expect(cancelIfRecovered(flink.client, JOB)).resolves.toBe(true)
    expect(
      flink.agent
        .getCallHistory()
        ?.calls()
        .map((c) => c.method),
    ).toEqual(['GET', 'PATCH', 'GET'])
  })

  it.each([
    ['ended', 200, { status: 'FINISHED' }],
    ['gone', 404, { errors: [`org.apache.flink.runtime.rest.NotFoundException: Job ${JOB} not found`] }],
  ])('leaves a job that stayed %s alone', async (_, status, body) => {
    flink = mockFlink()
    flink.reply('GET', `/jobs/${JOB}/status`, status, body)
    await expect(cancelIfRecovered(flink.client, JOB)).resolves.toBe(false)
    expect(flink.agent.getCallHistory()?.calls()).toHaveLength(1)
  })
})
