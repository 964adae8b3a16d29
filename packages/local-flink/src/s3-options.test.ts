import { describe, expect, it } from 'vitest'
import { startFlinkCluster } from './cluster.ts'
import { clusterConfig, renderConfigYaml } from './config.ts'
import type { S3Options } from './s3-options.ts'

const s3: S3Options = {
  endpoint: 'http://127.0.0.1:9000',
  accessKey: 'access',
  secretKey: 'very-secret',
  bucket: 'flink-state',
}

const base = {
  host: '127.0.0.1',
  ports: { rest: 1, jobManagerRpc: 2, blobServer: 3 },
  dirs: { work: '/w', checkpoints: '/w/c', savepoints: '/w/s', webUpload: '/w/u', tmp: '/w/t' },
  slots: 4,
  jobManagerMemory: '1024m',
  taskManagerMemory: '1728m',
  checkpointInterval: '2 s',
  restartAttempts: 2,
  extra: {},
}

describe('the s3 start option', () => {
  it('points the S3 file system at the endpoint, path-style, and state at the bucket', () => {
    const yaml = renderConfigYaml(
      clusterConfig({ ...base, s3: { options: s3, clusterId: 'flink-2.3.0-abc' } }),
    )
    expect(yaml).toContain('s3.endpoint: "http://127.0.0.1:9000"\n')
    expect(yaml).toContain('s3.path.style.access: true\n')
    expect(yaml).toContain('s3.access-key: "access"\n')
    expect(yaml).toContain('s3.secret-key: "very-secret"\n')
    expect(yaml).toContain('s3.endpoint.region: "us-east-1"\n')
    expect(yaml).toContain('execution.checkpointing.dir: "s3://flink-state/checkpoints/flink-2.3.0-abc"\n')
    expect(yaml).toContain(
      'execution.checkpointing.savepoint-dir: "s3://flink-state/savepoints/flink-2.3.0-abc"\n',
    )
  })

  it('keeps local state directories without a bucket, and explicit config keys win', () => {
    const conf = clusterConfig({
      ...base,
      s3: { options: { ...s3, bucket: undefined, region: 'eu-west-1' }, clusterId: 'x' },
      extra: { 'execution.checkpointing.dir': 's3://other/cp' },
    })
    expect(conf['execution.checkpointing.savepoint-dir']).toBe('file:///w/s')
    expect(conf['execution.checkpointing.dir']).toBe('s3://other/cp')
    expect(conf['s3.endpoint.region']).toBe('eu-west-1')
  })

  it('refuses bad settings before resolving or starting anything, without echoing the keys', async () => {
    const start = (over: Partial<S3Options>) => startFlinkCluster({ version: '2.3', s3: { ...s3, ...over } })
    await expect(start({ endpoint: '127.0.0.1:9000' })).rejects.toThrow(
      /Invalid s3 option: endpoint "127.0.0.1:9000" is not an http\(s\) URL/,
    )
    await expect(start({ endpoint: 'http://127.0.0.1:9000/bucket' })).rejects.toThrow(/without a path/)
    await expect(start({ accessKey: '' })).rejects.toThrow(/accessKey must be a non-empty string/)
    await expect(start({ bucket: 'Flink_State' })).rejects.toThrow(
      /bucket "Flink_State" is not a valid S3 bucket/,
    )
    const error = await start({ region: 'US East' }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect(String(error)).toMatch(/region "US East" is not a region name/)
    expect(String(error)).not.toContain('very-secret')
    await expect(start({ secretKey: '' })).rejects.toThrow(/secretKey must be a non-empty string/)
  })
})
