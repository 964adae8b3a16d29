import { describe, expect, it } from 'vitest'
import { normaliseSnapshotPath, sameSnapshotPath } from './paths.ts'

describe('snapshot paths', () => {
  it.each([
    ['file:/tmp/sp/savepoint-1', 'file:/tmp/sp/savepoint-1'],
    ['file:///tmp/sp/savepoint-1', 'file:/tmp/sp/savepoint-1'],
    ['file:///tmp/sp/savepoint-1/', 'file:/tmp/sp/savepoint-1'],
    ['file://localhost/tmp/sp/savepoint-1', 'file:/tmp/sp/savepoint-1'],
    ['/tmp/sp/savepoint-1', 'file:/tmp/sp/savepoint-1'],
    ['file:/tmp/sp/savepoint-1/_metadata', 'file:/tmp/sp/savepoint-1'],
    ['S3://bucket/sp/savepoint-1//', 's3://bucket/sp/savepoint-1'],
    [' hdfs://nn:8020/sp/x ', 'hdfs://nn:8020/sp/x'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseSnapshotPath(input)).toBe(expected)
  })

  it('compares spellings, and never matches a missing path', () => {
    expect(sameSnapshotPath('file:/a/b', 'file:///a/b/')).toBe(true)
    expect(sameSnapshotPath('file:/a/b', 'file:/a/bc')).toBe(false)
    expect(sameSnapshotPath('s3://x/a', 'file:/x/a')).toBe(false)
    expect(sameSnapshotPath(null, 'file:/a')).toBe(false)
    expect(sameSnapshotPath(undefined, undefined)).toBe(false)
  })
})
