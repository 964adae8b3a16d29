import { afterEach, describe, expect, it } from 'vitest'
import { FlinkUnsupportedError } from '../errors.ts'
import { type MockedFlink, mockFlink } from './routes/route-test-kit.ts'

const JOB = '0123456789abcdef0123456789abcdef'
const config = (version: string) => ({
  'refresh-interval': 3000,
  'flink-version': version,
  features: { 'web-submit': true },
})

describe('version differences', () => {
  let flink: MockedFlink
  afterEach(() => flink.agent.close())

  it('refuses the single-string programArgs on Flink 2.x, which would silently drop it', async () => {
    flink = mockFlink()
    flink.reply('GET', '/config', 200, config('2.3.0'))
    const error = await flink.client.jars
      .run({ jarid: 'x_job.jar', body: { programArgs: '--release v2' } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FlinkUnsupportedError)
    expect((error as Error).message).toBe(
      'programArgs (a single string) was removed in Flink 2.0 and this cluster runs 2.3.0; pass programArgsList instead',
    )
    expect(
      flink.agent
        .getCallHistory()!
        .calls()
        .map((c) => c.path),
    ).toEqual(['/v1/config'])
  })

  it('passes programArgs through on 1.20', async () => {
    flink = mockFlink()
    flink.reply('GET', '/config', 200, config('1.20.5'))
    flink.reply('POST', '/jars/x_job.jar/run', 200, { jobid: JOB })
    await flink.client.jars.run({
      jarid: 'x_job.jar',
      body: { programArgs: '--release v2', claimMode: 'NO_CLAIM' },
    })
    const sent = JSON.parse(String(flink.agent.getCallHistory()!.lastCall()!.body))
    expect(sent).toEqual({ programArgs: '--release v2', claimMode: 'NO_CLAIM' })
  })

  it('sends claimMode as restoreMode to clusters older than 1.20', async () => {
    flink = mockFlink()
    flink.reply('GET', '/config', 200, config('1.19.1'))
    flink.reply('POST', '/jars/x_job.jar/run', 200, { jobid: JOB })
    await flink.client.jars.run({
      jarid: 'x_job.jar',
      body: { claimMode: 'NO_CLAIM', savepointPath: 'file:/sp/1' },
    })
    const sent = JSON.parse(String(flink.agent.getCallHistory()!.lastCall()!.body))
    expect(sent).toEqual({ restoreMode: 'NO_CLAIM', savepointPath: 'file:/sp/1' })
  })

  it('reads the version once and only when a request needs it', async () => {
    flink = mockFlink()
    flink.reply('POST', '/jars/x_job.jar/run', 200, { jobid: JOB })
    await flink.client.jars.run({ jarid: 'x_job.jar', body: { programArgsList: ['--release', 'v2'] } })
    flink.reply('GET', '/config', 200, config('2.3.0'))
    await expect(flink.client.version()).resolves.toMatchObject({ major: 2, minor: 3, patch: 0 })
    await expect(flink.client.version()).resolves.toMatchObject({ raw: '2.3.0' })
    expect(
      flink.agent
        .getCallHistory()!
        .calls()
        .map((c) => c.path),
    ).toEqual(['/v1/jars/x_job.jar/run', '/v1/config'])
  })
})
