import { describe, expect, it } from 'vitest'
import { sameEndpoint } from './clusters.ts'
import { isLocalDirectory } from './savepoint-dir-access.ts'

describe('sameEndpoint', () => {
  it('compares URLs as parsed: case, default port and trailing slash do not matter', () => {
    expect(sameEndpoint('http://Flink:80/', 'http://flink')).toBe(true)
    expect(sameEndpoint('https://gw/flink/', 'https://gw:443/flink')).toBe(true)
  })
  it('tells apart another port, path or scheme', () => {
    expect(sameEndpoint('http://flink:8081', 'http://flink:8082')).toBe(false)
    expect(sameEndpoint('https://gw/flink-a', 'https://gw/flink-b')).toBe(false)
    expect(sameEndpoint('http://flink:8081', 'https://flink:8081')).toBe(false)
  })
})

describe('isLocalDirectory', () => {
  it('takes file: URIs and paths without a scheme as local disk', () => {
    expect(isLocalDirectory('file:///var/savepoints')).toBe(true)
    expect(isLocalDirectory('FILE:/tmp/sp')).toBe(true)
    expect(isLocalDirectory('/var/savepoints')).toBe(true)
  })
  it('takes shared file systems as shared', () => {
    for (const dir of [
      's3://b/sp',
      's3a://b/sp',
      'gs://b/sp',
      'hdfs://nn:8020/sp',
      'abfss://c@a.dfs.core.windows.net/sp',
    ])
      expect(isLocalDirectory(dir)).toBe(false)
  })
})
