import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors.ts'
import { buildPath, buildQuery } from './route.ts'

const JOB = '0123456789abcdef0123456789abcdef'

describe('buildPath', () => {
  it('fills a template and encodes each parameter', () => {
    expect(buildPath('/jobs/:jobid/vertices/:vertexid', { jobid: JOB, vertexid: JOB })).toBe(
      `/jobs/${JOB}/vertices/${JOB}`,
    )
    expect(buildPath('/taskmanagers/:taskmanagerid', { taskmanagerid: '127.0.0.1:41231-7f2c1a' })).toBe(
      '/taskmanagers/127.0.0.1%3A41231-7f2c1a',
    )
    expect(buildPath('/jobs/:jobid/checkpoints/details/:checkpointid', { jobid: JOB, checkpointid: 7 })).toBe(
      `/jobs/${JOB}/checkpoints/details/7`,
    )
  })

  it.each([
    ['jobid', 'ABCDEF0123456789ABCDEF0123456789', 'is not a Flink JobID: 32 lowercase hex characters'],
    ['jobid', '../../cluster', 'is not a Flink JobID'],
    ['jarid', 'job.zip', 'is not a jar id'],
    ['jarid', '../x.jar', 'is not a jar id'],
    ['checkpointid', '-1', 'is not a checkpoint id: a non-negative integer'],
  ])('rejects %s = %j before any request', (name, value, problem) => {
    const error = (() => {
      try {
        buildPath(`/x/:${name}`, { [name]: value })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toContain(`Invalid ${name}: "${value}" ${problem}`)
  })

  it('names a missing parameter and what it should be', () => {
    expect(() => buildPath('/jobs/:jobid', {})).toThrow(
      'Invalid jobid: missing; expected a Flink JobID: 32 lowercase hex characters',
    )
  })
})

describe('buildQuery', () => {
  it('joins lists with commas as Flink expects and skips undefined values', () => {
    expect(buildQuery({ get: ['a', 'b'], agg: undefined, mode: 'cancel' })).toBe('?get=a%2Cb&mode=cancel')
    expect(buildQuery({})).toBe('')
    expect(buildQuery(undefined)).toBe('')
  })
})
