/** Settings in-process: durations, precedence of flags > environment > file, and main() with a fake io. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from './cli.ts'
import type { Io } from './io.ts'
import { joinFlagValues, parseDuration, resolveSettings } from './settings.ts'

function fakeIo(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' }
  const io: Io = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    env,
    cwd: process.cwd(),
  }
  return { io, out }
}

describe('settings', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['30', 30_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['0s', 0],
    ['soon', undefined],
    ['-1s', undefined],
  ])('duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it('flags win over the environment, which wins over the file; key=value settings merge key by key', () => {
    const r = resolveSettings(
      ['parallelism', 'strategy', 'jobName', 'flinkConfig'],
      {
        flags: { parallelism: '4', 'flink-config': ['a=flag'] },
        env: {
          FLINK_DEPLOY_PARALLELISM: '2',
          FLINK_DEPLOY_STRATEGY: 'blue-green',
          FLINK_DEPLOY_FLINK_CONFIG: 'a=env\nb=env',
        },
        file: {
          name: 'deploy.json',
          values: {
            parallelism: 1,
            strategy: 'stop-and-restart',
            'job-name': 'orders',
            'flink-config': { c: 'file' },
          },
        },
      },
      'upgrade',
    )
    expect(r.values).toEqual({
      parallelism: 4,
      strategy: 'blue-green',
      jobName: 'orders',
      flinkConfig: { a: 'flag', b: 'env', c: 'file' },
    })
    expect(r.origin).toMatchObject({
      parallelism: '--parallelism',
      strategy: 'FLINK_DEPLOY_STRATEGY',
      jobName: 'deploy.json: job-name',
    })
  })

  it('the savepoint format comes from --savepoint-format, FLINK_DEPLOY_SAVEPOINT_FORMAT or the file key', () => {
    const read = (sources: Partial<Parameters<typeof resolveSettings>[1]>) =>
      resolveSettings(['savepointFormat'], { flags: {}, env: {}, ...sources }, 'upgrade').values
    expect(read({ flags: { 'savepoint-format': 'native' } })).toEqual({ savepointFormat: 'native' })
    expect(read({ env: { FLINK_DEPLOY_SAVEPOINT_FORMAT: 'native' } })).toEqual({ savepointFormat: 'native' })
    expect(read({ file: { name: 'deploy.json', values: { 'savepoint-format': 'canonical' } } })).toEqual({
      savepointFormat: 'canonical',
    })
    expect(() => read({ flags: { 'savepoint-format': 'full' } })).toThrow(
      /--savepoint-format.*canonical, native/,
    )
  })

  it('accepting duplicates and fencing comes from the flag, FLINK_DEPLOY_ACCEPT_DUPLICATES_AND_FENCING or the file key', () => {
    const read = (sources: Partial<Parameters<typeof resolveSettings>[1]>) =>
      resolveSettings(['acceptDuplicatesAndFencing'], { flags: {}, env: {}, ...sources }, 'upgrade').values
    expect(read({ flags: { 'accept-duplicates-and-fencing': true } })).toEqual({
      acceptDuplicatesAndFencing: true,
    })
    expect(read({ env: { FLINK_DEPLOY_ACCEPT_DUPLICATES_AND_FENCING: 'true' } })).toEqual({
      acceptDuplicatesAndFencing: true,
    })
    expect(
      read({ file: { name: 'deploy.yaml', values: { 'accept-duplicates-and-fencing': false } } }),
    ).toEqual({ acceptDuplicatesAndFencing: false })
  })

  it('the outage budget comes from --unreachable-timeout, FLINK_DEPLOY_UNREACHABLE_TIMEOUT or the file key', () => {
    const read = (sources: Partial<Parameters<typeof resolveSettings>[1]>) =>
      resolveSettings(['unreachableTimeout'], { flags: {}, env: {}, ...sources }, 'upgrade').values
    expect(read({ flags: { 'unreachable-timeout': '90s' } })).toEqual({ unreachableTimeout: 90_000 })
    expect(read({ env: { FLINK_DEPLOY_UNREACHABLE_TIMEOUT: '0s' } })).toEqual({ unreachableTimeout: 0 })
    expect(read({ file: { name: 'deploy.json', values: { 'unreachable-timeout': '5m' } } })).toEqual({
      unreachableTimeout: 300_000,
    })
    expect(() => read({ flags: { 'unreachable-timeout': 'forever' } })).toThrow(/--unreachable-timeout/)
  })

  it('a flag that takes a value takes the next word, even one starting with a dash', () => {
    expect(
      joinFlagValues(['--arg', '--fail-after', '--arg', '1', '--drain', '--', '--arg'], ['args', 'drain']),
    ).toEqual(['--arg=--fail-after', '--arg=1', '--drain', '--', '--arg'])
  })
})

describe('main() in-process', () => {
  it('prints help and exits 0', async () => {
    const { io, out } = fakeIo()
    expect(await main(['--help'], io)).toBe(0)
    expect(out.stdout).toContain('Usage: flink-deploy <command> [options]')
  })

  it('--handover gate (or FLINK_DEPLOY_HANDOVER) without blue-green is bad input: exit 2 before any request', async () => {
    const jar = join(mkdtempSync(join(tmpdir(), 'flink-deploy-cli-')), 'orders.jar')
    writeFileSync(jar, 'PK')
    const base = ['upgrade', '--flink-url', 'http://127.0.0.1:9', '--job-name', 'orders', '--jar', jar]
    for (const [args, env] of [
      [['--handover', 'gate'], {}],
      [[], { FLINK_DEPLOY_HANDOVER: 'gate' }],
    ] as const) {
      const { io, out } = fakeIo(env)
      expect(await main([...base, ...args], io)).toBe(2)
      expect(out.stderr).toMatch(/(--handover|FLINK_DEPLOY_HANDOVER): gate needs strategy blue-green/)
    }
  })

  it('bad input exits 2 with the setting as written, and keeps secrets out of the message', async () => {
    const { io, out } = fakeIo({ FLINK_DEPLOY_TOKEN: 'env-secret-token-123' })
    const code = await main(
      ['status', '--flink-url', 'http://x:8081', '--username', 'env-secret-token-123'],
      io,
    )
    expect(code).toBe(2)
    expect(out.stderr).toContain(
      'flink-deploy status: error: FLINK_DEPLOY_TOKEN: give a token or a username and password, not both',
    )
    expect(out.stderr).not.toContain('env-secret-token-123')
  })

  it('an unreachable cluster is an unexpected error: exit 1, one JSON error line with --json', async () => {
    const { io, out } = fakeIo()
    const code = await main(['status', '--flink-url', 'http://127.0.0.1:1', '--json'], io)
    expect(code).toBe(1)
    const lines = out.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'error', code: 'FLINK_TRANSPORT_ERROR', exitCode: 1 })
  })

  it('an unknown FLINK_DEPLOY_* variable is an error naming the closest setting; nothing runs', async () => {
    const { io, out } = fakeIo({ FLINK_DEPLOY_SAVEPOINT_FROMAT: 'native' })
    expect(await main(['status', '--flink-url', 'http://127.0.0.1:1'], io)).toBe(2)
    expect(out.stderr).toContain(
      'FLINK_DEPLOY_SAVEPOINT_FROMAT: no such setting; did you mean FLINK_DEPLOY_SAVEPOINT_FORMAT?',
    )
  })

  it("a variable or config key of other commands is a warning naming them; this command's run goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-foreign-'))
    writeFileSync(join(dir, 'deploy.json'), '{\n"savepoint-format": "native"\n}')
    const { io, out } = fakeIo({ FLINK_DEPLOY_JAR: 'orders.jar' })
    io.cwd = dir
    expect(await main(['status', '--config', 'deploy.json'], io)).toBe(2)
    expect(out.stderr).toContain('warning: FLINK_DEPLOY_JAR is a setting of upgrade; status does not use it')
    expect(out.stderr).toContain(
      'warning: deploy.json:2: savepoint-format is a setting of upgrade, savepoint; status does not use it',
    )
    // The run itself went on, up to its own first problem.
    expect(out.stderr).toContain('--flink-url is required')
  })
})
