import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readConfigFile } from './config-file.ts'
import { resolveSettings, UsageError } from './settings.ts'
import { tempDir } from './test-kit.ts'

const dir = tempDir('flink-deploy-config-')

async function read(name: string, text: string) {
  writeFileSync(join(dir, name), text)
  return readConfigFile(name, '--config', dir, 'upgrade')
}

async function failure(name: string, text: string): Promise<string> {
  const error = await read(name, text).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(UsageError)
  return (error as UsageError).message
}

function resolveFrom(file: Awaited<ReturnType<typeof read>>) {
  return resolveSettings(
    ['jobName', 'parallelism', 'args', 'flinkConfig', 'drain', 'verifyTimeout'],
    {
      flags: {},
      env: {},
      file,
    },
    'upgrade',
  )
}

describe('config files', () => {
  const yaml = [
    '# deploy.yaml',
    'job-name: orders',
    'parallelism: 4',
    'args:',
    '  - --release',
    '  - v2',
    'flink-config:',
    '  pipeline.name: orders',
    'drain: true',
    'verify-timeout: 90s',
  ].join('\n')

  it('YAML and JSON with the same keys give the same settings', async () => {
    const fromYaml = resolveFrom(await read('deploy.yaml', yaml))
    const json = {
      'job-name': 'orders',
      parallelism: 4,
      args: ['--release', 'v2'],
      'flink-config': { 'pipeline.name': 'orders' },
      drain: true,
      'verify-timeout': '90s',
    }
    const fromJson = resolveFrom(await read('deploy.json', JSON.stringify(json, null, 2)))
    expect(fromYaml.values).toEqual({
      jobName: 'orders',
      parallelism: 4,
      args: ['--release', 'v2'],
      flinkConfig: { 'pipeline.name': 'orders' },
      drain: true,
      verifyTimeout: 90_000,
    })
    expect(fromJson.values).toEqual(fromYaml.values)
    expect(fromYaml.origin.parallelism).toBe('deploy.yaml:3: parallelism')
    expect(fromJson.origin.parallelism).toBe('deploy.json:3: parallelism')
  })

  it('.yml is YAML too', async () => {
    const file = await read('deploy.yml', 'job-name: orders\n')
    expect(file.values).toEqual({ 'job-name': 'orders' })
  })

  it('a bad value names the file, the line, the key and what was expected', async () => {
    const file = await read('bad-value.yaml', 'job-name: orders\nparallelism: two\n')
    expect(() => resolveFrom(file)).toThrow(
      'bad-value.yaml:2: parallelism: expected a positive whole number, got "two"',
    )
    const list = await read('bad-list.yaml', 'job-name: orders\nargs:\n  nested: map\n')
    expect(() => resolveFrom(list)).toThrow('bad-list.yaml:2: args: expected a list of strings')
  })

  it('a typo in a key names the file, the line and the key it resembles', async () => {
    expect(await failure('typo.yaml', 'job-name: orders\n\n\nparalelism: 2\n')).toBe(
      'typo.yaml:4: unknown setting "paralelism"; did you mean "parallelism"? (keys are the flag names without --)',
    )
    expect(await failure('camel.yaml', 'jobName: orders\n')).toContain(
      'camel.yaml:1: unknown setting "jobName"; did you mean "job-name"?',
    )
  })

  it('broken YAML, a duplicate key, or a document that is not a mapping: the file and the line', async () => {
    expect(await failure('broken.yaml', 'job-name: orders\nargs: [--release, v2\n')).toMatch(
      /^broken\.yaml:\d+: not valid YAML: /,
    )
    expect(await failure('twice.yaml', 'job-name: a\njob-name: b\n')).toMatch(
      /^twice\.yaml:2: not valid YAML: .*unique/i,
    )
    expect(await failure('list.yaml', '- job-name: orders\n')).toBe(
      'list.yaml: expected a YAML mapping of settings, got a list',
    )
    expect(await failure('empty.yaml', '# nothing yet\n')).toBe(
      'empty.yaml: expected a YAML mapping of settings, got an empty document',
    )
    expect(await failure('broken.json', '{"job-name": "orders",}')).toMatch(/^broken\.json: not valid JSON: /)
  })

  it('a file that cannot be read is named with how it was given', async () => {
    const error = await readConfigFile('missing.yaml', 'FLINK_DEPLOY_CONFIG', dir, 'upgrade').catch(
      (e: Error) => e,
    )
    expect((error as Error).message).toBe('FLINK_DEPLOY_CONFIG: cannot read "missing.yaml" (ENOENT)')
  })
})
