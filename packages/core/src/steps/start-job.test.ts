import { afterEach, describe, expect, it } from 'vitest'
import { type MockedFlink, mockFlink } from '../client/routes/route-test-kit.ts'
import { startJob } from './start-job.ts'

const JOB = '0123456789abcdef0123456789abcdef'
const input = { jarId: 'v2.jar', jobId: JOB, settings: { programArgs: [] } }
const notFound = { errors: [`org.apache.flink.runtime.rest.NotFoundException: Job ${JOB} not found`] }

describe('startJob', () => {
  let flink: MockedFlink
  afterEach(async () => {
    await flink.agent.close()
  })

  it.each(['DuplicateJobSubmissionException', 'DuplicateApplicationSubmissionException'])(
    'counts a refused duplicate (%s) as submitted, even before a failed-over JobManager lists the job',
    async (exception) => {
      flink = mockFlink()
      flink.reply('GET', `/jobs/${JOB}/status`, 404, notFound)
      flink.reply('POST', '/jars/v2.jar/run', 500, {
        errors: [`org.apache.flink.runtime.client.${exception}: Job has already been submitted.`],
      })
      await expect(startJob(flink.client, input)).resolves.toEqual({ submitted: false })
    },
  )

  it('any other refusal is an error', async () => {
    flink = mockFlink()
    flink.reply('GET', `/jobs/${JOB}/status`, 404, notFound)
    flink.reply('POST', '/jars/v2.jar/run', 500, { errors: ['java.lang.RuntimeException: no slots'] })
    await expect(startJob(flink.client, input)).rejects.toThrow(/no slots/)
  })
})
