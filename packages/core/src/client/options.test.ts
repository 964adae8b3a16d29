import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors.ts'
import { createFlinkClient } from './flink-client.ts'
import type { ClientOptions } from './options.ts'

function rejection(options: unknown): InvalidArgumentError {
  try {
    createFlinkClient(options as ClientOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError)
    return error as InvalidArgumentError
  }
  throw new Error('expected createFlinkClient to throw')
}

describe('client options', () => {
  it('rejects a base URL that is not a URL, naming the setting and an example', () => {
    const error = rejection({ baseUrl: 'localhost:8081' })
    expect(error.code).toBe('INVALID_ARGUMENT')
    expect(error.message).toBe(
      'Invalid baseUrl: protocol localhost: is not supported; expected http: or https:',
    )
    expect(rejection({ baseUrl: 'not a url' }).message).toBe(
      'Invalid baseUrl: "not a url" is not a URL; expected e.g. http://localhost:8081',
    )
  })

  it('rejects non-http protocols and credentials in the URL without echoing them', () => {
    expect(rejection({ baseUrl: 'ftp://flink:8081' }).message).toContain('protocol ftp: is not supported')
    const error = rejection({ baseUrl: 'https://admin:hunter22@flink:8081' })
    expect(error.message).toContain('credentials in the URL are not accepted')
    expect(error.message).not.toContain('hunter22')
  })

  it('rejects an empty token and a client certificate without its key', () => {
    expect(rejection({ baseUrl: 'http://f:1', auth: { type: 'bearer', token: '' } }).message).toBe(
      'Invalid auth.token: token is empty',
    )
    expect(rejection({ baseUrl: 'https://f:1', tls: { cert: 'PEM' } }).message).toBe(
      'Invalid tls: cert and key must be given together for mutual TLS',
    )
    expect(rejection({ baseUrl: 'http://f:1', tls: { ca: 'PEM' } }).message).toContain('is not https')
  })

  it('rejects unknown options instead of ignoring a typo', () => {
    expect(rejection({ baseUrl: 'http://f:1', timeout: 5 }).message).toContain('Unrecognized key: "timeout"')
  })

  it('never puts a password into the message of a rejected option', () => {
    const error = rejection({
      baseUrl: 'http://f:1',
      auth: { type: 'basic', username: 'a:b', password: 's3cret-pw' },
    })
    expect(error.message).toBe('Invalid auth.username: username must not contain ":"')
    expect(JSON.stringify(error)).not.toContain('s3cret-pw')
  })

  it('accepts a proxy path prefix', () => {
    expect(() => createFlinkClient({ baseUrl: 'https://gateway.example/flink/' })).not.toThrow()
  })
})
