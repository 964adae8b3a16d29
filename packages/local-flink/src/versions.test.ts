import { describe, expect, it } from 'vitest'
import { clusterConfig, renderConfigYaml } from './config.ts'
import { FLINK_VERSIONS, flinkMajor, resolveFlinkVersion, selectedFlinkVersions } from './versions.ts'

describe('versions', () => {
  it('maps minor versions to the pinned patch releases and passes full versions through', () => {
    expect(resolveFlinkVersion('1.20')).toBe(FLINK_VERSIONS['1.20'])
    expect(resolveFlinkVersion('2.3')).toBe('2.3.0')
    expect(resolveFlinkVersion('2.2.1')).toBe('2.2.1')
    expect(() => resolveFlinkVersion('banana')).toThrow(/Unknown Flink version/)
    expect(flinkMajor('1.20')).toBe(1)
    expect(flinkMajor('2.3')).toBe(2)
  })

  it('reads FLINK_VERSION as a comma list, defaulting to all versions', () => {
    expect(selectedFlinkVersions({})).toEqual(Object.values(FLINK_VERSIONS))
    expect(selectedFlinkVersions({ FLINK_VERSION: ' 2.3 , 1.20,2.3.0' })).toEqual([
      '2.3.0',
      FLINK_VERSIONS['1.20'],
    ])
  })
})

describe('config.yaml', () => {
  it('renders flat keys with quoted strings and loopback-only addresses', () => {
    const conf = clusterConfig({
      host: '127.0.0.1',
      ports: { rest: 1, jobManagerRpc: 2, blobServer: 3 },
      dirs: { work: '/w', checkpoints: '/w/c', savepoints: '/w/s', webUpload: '/w/u', tmp: '/w/t' },
      slots: 4,
      jobManagerMemory: '1024m',
      taskManagerMemory: '1728m',
      checkpointInterval: '2 s',
      restartAttempts: 2,
      extra: { 'rest.port': 9 },
    })
    const yaml = renderConfigYaml(conf)
    expect(yaml).toContain('rest.port: 9\n')
    expect(yaml).toContain('rest.bind-address: "127.0.0.1"\n')
    expect(yaml).toContain('execution.checkpointing.savepoint-dir: "file:///w/s"\n')
    expect(yaml).toContain('web.submit.enable: true\n')
    expect(yaml).toContain('restart-strategy.fixed-delay.attempts: 2\n')
  })
})
