/**
 * The CLI as a user runs it: a child process `node src/bin.ts ...` against the fake Flink on loopback, with
 * the example job as its default program and one program second lasting 20 ms (`--fail-after 1` fails fast).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { serveFakeFlink } from '@flink-deploy/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { cliOnFakeFlink, explain } from './test-ground.ts'
import { fakeJar, ndjson, runCli, startCli } from './test-kit.ts'

const ground = cliOnFakeFlink('orders')
const { cli } = ground

const QUICK = ['--verify-stabilisation', '150ms', '--verify-timeout', '5s']
const TOKEN = 'tkn-5eeded-never-shown-42'

/** Arguments of a release of the example job; each build's jar has distinct content. */
function release(build: string, extra: string[] = []): string[] {
  const jar = fakeJar(ground.dir, `${ground.job}-${build}.jar`, `${ground.job}-${build}`)
  const args = ['--name', ground.job, '--release', build === 'v1' ? 'v1' : 'v2', ...extra].flatMap((a) => [
    '--arg',
    a,
  ])
  return ['--job-name', ground.job, '--jar', jar, ...args, ...QUICK]
}

async function deployV1(): Promise<string> {
  const run = await cli(['upgrade', ...release('v1'), '--json'])
  expect(run.code, explain(run)).toBe(0)
  const result = ndjson(run.stdout).at(-1)!
  const id = result.greenJobId as string
  await expect.poll(() => ground.fake.cluster.job(id)?.stateCount() ?? 0).toBeGreaterThan(50)
  return id
}

describe('upgrade', { timeout: 30_000 }, () => {
  it('deploys when nothing runs (exit 0), then upgrades v1 to v2 (exit 0) with plain output', async () => {
    const first = await cli(['upgrade', ...release('v1')])
    expect(first.code, explain(first)).toBe(0)
    expect(first.stdout).toContain('▶ Preflight: cluster, blue job, jar, state compatibility')
    expect(first.stdout).toMatch(/Upgraded: green job [0-9a-f]{32} runs\./)
    expect(first.stdout).not.toContain('\x1b[') // not a terminal: no live line
    await new Promise((r) => setTimeout(r, 300))

    const second = await cli(['upgrade', ...release('v2')])
    expect(second.code, explain(second)).toBe(0)
    const lines = second.stdout.split('\n')
    const order = [
      '▶ Preflight',
      '▶ Stopping blue with a savepoint',
      '  savepoint: ',
      '▶ Starting green',
      '  green job submitted: ',
      '▶ Verifying green',
      '  ✓ restored-from-savepoint',
      '▶ Recording the release',
      'Upgraded: green job',
    ].map((prefix) => lines.findIndex((l) => l.startsWith(prefix)))
    expect(order.every((i) => i >= 0)).toBe(true)
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(second.stdout).toMatch(/^ {2}outcome +upgraded$/m)
    expect(second.stdout).toMatch(/^ {2}downtime +\d+ ms( \(estimated [\d.]+ m?s\))?$/m)
    expect(existsSync(join(ground.dir, '.flink-deploy', `${ground.job}.json`))).toBe(true)
  })

  it('rolls back a release that crashes after starting: exit 3, blue runs again from the savepoint', async () => {
    await deployV1()
    const run = await cli(['upgrade', ...release('v3', ['--fail-after', '1', '--restart-attempts', '0'])])
    expect(run.code, explain(run)).toBe(3)
    expect(run.stdout).toContain('⟲ rollback:')
    expect(run.stdout).toMatch(/Rolled back: .*recover from savepoint file:/)
    expect(run.stdout).toMatch(/running now +blue-restarted [0-9a-f]{32} \(RUNNING\)/)
  })

  it('a first deployment whose program fails to start says nothing was deployed, and why', async () => {
    const run = await cli(['upgrade', ...release('v1', ['--release', 'v9'])])
    expect(run.code, explain(run)).toBe(4)
    expect(run.stdout).toContain('✗ nothing deployed: The release in jar')
    expect(run.stdout).toMatch(
      /Nothing was deployed: The release in jar .* --release must be v1 or v2, got: v9/,
    )
    expect(run.stdout).toContain('Cancelling green (a first deployment: no blue to run again)')
    expect(run.stdout).not.toMatch(/rollback|Rolling back|blue untouched/i)
  })

  it('refuses an incompatible release: exit 4, blue untouched', async () => {
    const blue = await deployV1()
    const run = await cli(['upgrade', ...release('v2', ['--topology', 'incompatible'])])
    expect(run.code, explain(run)).toBe(4)
    expect(run.stdout).toContain('Aborted, blue untouched')
    expect(run.stdout).toContain('would not restore the state of counter')
    expect(ground.fake.cluster.job(blue)!.state).toBe('RUNNING')
  })

  it("a release whose main() throws: its message, exit 4; Flink's whole answer only with FLINK_DEPLOY_DEBUG", async () => {
    const message = 'java.lang.IllegalArgumentException: --release must be v1 or v2, got: v3'
    const args = ['upgrade', ...release('v1', ['--release', 'v3'])]
    const plain = await cli(args)
    expect(plain.code, explain(plain)).toBe(4)
    expect(plain.stdout).toContain(`did not start: ${message}`)
    expect(plain.stdout + plain.stderr).not.toContain('Caused by:')

    const json = await cli([...args, '--json'])
    const result = ndjson(json.stdout).at(-1)!
    expect(result.error).toEqual({
      step: 'startingGreen',
      code: 'RELEASE_START_FAILED',
      message: expect.stringContaining(message),
    })

    const debug = await cli(args, { FLINK_DEPLOY_DEBUG: '1' })
    expect(debug.code, explain(debug)).toBe(4)
    expect(debug.stderr).toContain("Flink's answer:\n")
    expect(debug.stderr).toContain(`Caused by: ${message}`)
  })

  it('a dry run prints the plan and changes nothing: exit 0', async () => {
    const blue = await deployV1()
    const run = await cli(['upgrade', ...release('v2'), '--dry-run'])
    expect(run.code, explain(run)).toBe(0)
    expect(run.stdout).toContain('Dry run: nothing was changed.')
    expect(run.stdout).toContain(`Plan:\n  1. stop blue ${blue} with a canonical savepoint\n  2. start green`)
    expect(ground.fake.cluster.job(blue)!.state).toBe('RUNNING')
  })

  it("shows the estimate before blue is touched, corrected by the downtime the job's last upgrade measured", async () => {
    await deployV1()
    const upgraded = await cli(['upgrade', ...release('v2'), '--json'])
    expect(upgraded.code, explain(upgraded)).toBe(0)
    const lines = ndjson(upgraded.stdout)
    const { downtimeMs, estimate } = lines.at(-1) as {
      downtimeMs: number
      estimate: { modelDowntimeMs: number; downtimeMs: number }
    }
    // The estimate event comes before the first step that touches blue.
    const at = (match: (l: Record<string, unknown>) => boolean) => lines.findIndex(match)
    expect(at((l) => l.type === 'estimate')).toBeGreaterThan(-1)
    expect(at((l) => l.type === 'estimate')).toBeLessThan(at((l) => l.step === 'stoppingBlue'))
    expect(lines.find((l) => l.type === 'estimate')!.estimate).toEqual(estimate)

    const dry = await cli(['upgrade', ...release('v1'), '--dry-run', '--json'])
    expect(dry.code, explain(dry)).toBe(0)
    const plan = ndjson(dry.stdout).at(-1) as { summary: string; estimate: { calibration: unknown } }
    const ratio = downtimeMs / estimate.modelDowntimeMs
    expect(plan.estimate.calibration).toEqual({
      // One upgrade moves the model halfway (in log terms) to what it measured.
      factor: Math.round(Math.min(5, Math.max(0.2, Math.sqrt(ratio))) * 100) / 100,
      upgrades: 1,
    })
    expect(plan.summary).toMatch(/from its history, ×[\d.]+ as its last upgrade measured\)/)

    // Plain output: the estimate under the preflight step, and beside the measured downtime at the end.
    const plain = await cli(['upgrade', ...release('v1')])
    expect(plain.code, explain(plain)).toBe(0)
    expect(plain.stdout).toMatch(
      /▶ Preflight[^▶]*\n {2}State [\d.]+ KB \(checkpoint \d+\): estimated downtime [\d.]+ m?s \(.*as its last upgrade measured\)/,
    )
    expect(plain.stdout).toMatch(/downtime\s+[\d.]+ m?s \(estimated [\d.]+ m?s\)/)
  })

  it('--json: every line is JSON, events in order, one final result; a seeded token never appears', async () => {
    await deployV1()
    const run = await cli(['upgrade', ...release('v2'), '--json', '--token', TOKEN], {
      FLINK_DEPLOY_HEADERS: 'X-Gateway-Key=hdr-secret-value-77',
    })
    expect(run.code, explain(run)).toBe(0)
    const lines = ndjson(run.stdout)
    const result = lines.at(-1)!
    expect(result).toMatchObject({ type: 'result', outcome: 'upgraded', exitCode: 0 })
    expect(lines.slice(0, -1).every((l) => l.type !== 'result')).toBe(true)
    const steps = lines.filter((l) => l.type === 'step-entered').map((l) => l.step)
    expect(steps).toEqual([
      'preflight',
      'stoppingBlue',
      'startingGreen',
      'verifyingGreen',
      'recordingRelease',
    ])
    const kinds = lines.map((l) => (l.type === 'step-entered' ? l.step : l.type))
    const firstOf = (k: string) => kinds.indexOf(k)
    expect(firstOf('stoppingBlue')).toBeLessThan(firstOf('savepoint-taken'))
    expect(firstOf('savepoint-taken')).toBeLessThan(firstOf('job-submitted'))
    expect(firstOf('job-submitted')).toBeLessThan(firstOf('check-result'))
    expect(result.savepointPath).toEqual(lines.find((l) => l.type === 'savepoint-taken')!.location)
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain(TOKEN)
      expect(text).not.toContain('hdr-secret-value-77')
    }
  })

  it('a secret in a bad setting is not echoed', async () => {
    const run = await cli(['upgrade', ...release('v1'), '--token', TOKEN, '--username', 'bob', '--json'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--token: give a token or a username and password, not both')
    expect(ndjson(run.stdout)).toMatchObject([{ type: 'error', code: 'BAD_INPUT', exitCode: 2 }])
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
  })

  it('another run holding the job: exit 6', async () => {
    mkdirSync(join(ground.dir, '.flink-deploy'), { recursive: true })
    writeFileSync(
      join(ground.dir, '.flink-deploy', `${ground.job}.json.lock`),
      JSON.stringify({
        pid: process.pid,
        hostname: hostname(),
        owner: 'ci job 7',
        acquiredAt: '2025-01-01T00:00:00Z',
      }),
    )
    const run = await cli(['upgrade', ...release('v1')])
    expect(run.code, explain(run)).toBe(6)
    expect(run.stderr).toContain('Another run is upgrading this job')
    expect(run.stderr).toContain('ci job 7')
  })
})

describe('bad input: exit 2 before anything is sent', { timeout: 30_000 }, () => {
  const cases: [string, string[], Record<string, string>, string][] = [
    [
      'parallelism',
      ['--parallelism', 'two'],
      {},
      '--parallelism: expected a positive whole number, got "two"',
    ],
    [
      'strategy',
      ['--strategy', 'fast'],
      {},
      '--strategy: expected one of stop-and-restart, blue-green, got "fast"',
    ],
    [
      'verify timeout',
      ['--verify-timeout', 'soon'],
      {},
      '--verify-timeout: expected a duration such as 500ms, 30s, 5m or 1h, got "soon"',
    ],
    [
      'job id',
      ['--job-id', 'abc'],
      {},
      '--job-id: expected a Flink job id (32 lowercase hex characters), got "abc"',
    ],
    ['unknown flag', ['--paralelism', '2'], {}, 'unknown option --paralelism; did you mean --parallelism?'],
    ['boolean with a value', ['--drain=yes'], {}, '--drain: takes no value; write --drain or --no-drain'],
    ['flag without value', ['--savepoint-dir'], {}, '--savepoint-dir: expected a value'],
    [
      'environment',
      [],
      { FLINK_DEPLOY_PARALLELISM: '0' },
      'FLINK_DEPLOY_PARALLELISM: expected a positive whole number, got "0"',
    ],
    [
      'url',
      ['--flink-url', 'ftp://flink'],
      {},
      '--flink-url: expected an http(s) URL such as http://localhost:8081, got "ftp://flink"',
    ],
    [
      'args json',
      ['--args-json', '[1,2]'],
      {},
      '--args-json: expected a JSON array of strings such as ["--name","orders"], got "[1,2]"',
    ],
    ['header', ['--header', 'X-Key'], {}, '--header: expected name=value, got no "="'],
    [
      'basic auth',
      ['--username', 'bob'],
      {},
      '--username: basic auth needs --password (or FLINK_DEPLOY_PASSWORD) too',
    ],
    [
      'manual promotion',
      ['--manual-promotion'],
      {},
      '--manual-promotion: manual promotion needs --strategy blue-green',
    ],
    ['tls on http', ['--insecure'], {}, '--insecure: TLS settings need an https:// Flink URL'],
  ]
  it.each(cases)('%s', async (_name, flags, env, message) => {
    const before = ground.fake.requests.length
    const run = await cli(['upgrade', ...release('v1'), ...flags], env)
    expect(run.code, explain(run)).toBe(2)
    expect(run.stderr).toContain(`flink-deploy upgrade: error: ${message}`)
    expect(run.stderr).toContain('Run `flink-deploy upgrade --help` for usage.')
    expect(run.stdout).toBe('')
    expect(ground.fake.requests.length).toBe(before)
  })

  it('a missing jar, a missing job, a bad config file', async () => {
    const noJar = await cli(['upgrade', '--job-name', ground.job, '--jar', 'nope.jar'])
    expect(noJar.code).toBe(2)
    expect(noJar.stderr).toContain('--jar: no file at "nope.jar"')
    const noJob = await cli(['upgrade', '--jar', fakeJar(ground.dir, 'x.jar')])
    expect(noJob.code).toBe(2)
    expect(noJob.stderr).toContain('give --job-name or --job-id')
    writeFileSync(
      join(ground.dir, 'deploy.json'),
      JSON.stringify({ 'job-name': ground.job, parallelism: 'x' }),
    )
    const badFile = await cli(['upgrade', '--jar', fakeJar(ground.dir, 'x.jar'), '--config', 'deploy.json'])
    expect(badFile.code).toBe(2)
    expect(badFile.stderr).toContain('deploy.json:1: parallelism: expected a positive whole number, got "x"')
    writeFileSync(join(ground.dir, 'typo.json'), JSON.stringify({ paralelism: 2 }))
    const typo = await cli(['status', '--config', 'typo.json'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('typo.json:1: unknown setting "paralelism"; did you mean "parallelism"?')
    const url = await cli(['status'], { FLINK_DEPLOY_FLINK_URL: '' })
    expect(url.code).toBe(2)
    expect(url.stderr).toContain('--flink-url is required')
  })
})

describe('settings: flags > environment > config file', { timeout: 30_000 }, () => {
  it('takes each setting from the highest source that has it', async () => {
    await deployV1()
    writeFileSync(
      join(ground.dir, 'deploy.json'),
      JSON.stringify({ 'job-name': ground.job, strategy: 'nonsense-overridden', 'verify-timeout': '5s' }),
    )
    const run = await cli(
      [
        'upgrade',
        '--config',
        'deploy.json',
        '--strategy',
        'blue-green',
        '--jar',
        fakeJar(ground.dir, 'v2.jar'),
        '--dry-run',
      ],
      {
        FLINK_DEPLOY_ARGS: JSON.stringify(['--name', ground.job, '--release', 'v2']),
        FLINK_DEPLOY_STRATEGY: 'bad',
      },
    )
    expect(run.code, explain(run)).toBe(0)
    expect(run.stdout).toContain(`dry run of blue-green of job "${ground.job}"`)
    expect(run.stdout).toContain(`with --name ${ground.job} --release v2`)
  })
})

describe('caught-up verification', { timeout: 30_000 }, () => {
  afterEach(() => {
    ground.fake.cluster.sourceBacklog = () => undefined
  })

  it('flag, environment variable and config key reach the check: a green falling behind is rolled back', async () => {
    const blue = await deployV1()
    // Every job but blue has a backlog that grows from 4 310 by 5 000 records a second.
    const t0 = new Map<string, number>()
    ground.fake.cluster.sourceBacklog = (j) => {
      if (j.id === blue) return 0
      if (!t0.has(j.id)) t0.set(j.id, Date.now())
      return 4_310 + Math.round(((Date.now() - t0.get(j.id)!) / 1000) * 5_000)
    }
    const behind = await cli([
      'upgrade',
      ...release('v2'),
      '--verify-caught-up-max-pending',
      '100',
      '--verify-caught-up-window',
      '300ms',
      '--verify-timeout',
      '1500ms',
      '--json',
    ])
    expect(behind.code, explain(behind)).toBe(3)
    const rolledBack = ndjson(behind.stdout).at(-1)!
    expect(rolledBack.outcome).toBe('rolled-back')
    expect((rolledBack.checks as { name: string; passed: boolean; message: string }[]).at(-1)).toMatchObject({
      name: 'caught-up',
      passed: false,
      message: expect.stringMatching(
        /pending records [\d ]+ \(was \d{1,2} \d{3} at start\): above 100 and not/,
      ),
    })

    // Off through the environment: the same green is upgraded without the check.
    const off = await cli(['upgrade', ...release('v2'), '--json'], { FLINK_DEPLOY_VERIFY_CAUGHT_UP: 'false' })
    expect(off.code, explain(off)).toBe(0)
    const upgraded = ndjson(off.stdout).at(-1)!
    expect((upgraded.checks as { name: string }[]).map((c) => c.name)).not.toContain('caught-up')
    const flagOff = await cli(['upgrade', ...release('v3'), '--no-verify-caught-up', '--json'])
    expect(flagOff.code, explain(flagOff)).toBe(0)
    const names = (ndjson(flagOff.stdout).at(-1)!.checks as { name: string }[]).map((c) => c.name)
    expect(names).not.toContain('caught-up')

    // A bound from the config file that the backlog stays under.
    writeFileSync(join(ground.dir, 'deploy.yaml'), 'verify-caught-up-max-pending: 10000000\n')
    const bound = await cli(['upgrade', ...release('v4'), '--config', 'deploy.yaml', '--json'])
    expect(bound.code, explain(bound)).toBe(0)
    const check = (ndjson(bound.stdout).at(-1)!.checks as { name: string; message: string }[]).find(
      (c) => c.name === 'caught-up',
    )
    expect(check?.message).toMatch(
      /^pending records [\d ]+ \(was \d{1,2} \d{3} at start\), at most 10 000 000$/,
    )
  })
})

describe('last-state on a job whose sources may not replay', { timeout: 30_000 }, () => {
  afterEach(() => {
    ground.fake.cluster.legacySources = () => false
  })

  it('refused before blue is touched (exit 4); flag, environment variable or config key vouch for them', async () => {
    const blue = await deployV1()
    ground.fake.cluster.legacySources = () => true
    const lastState = (build: string) => [
      'upgrade',
      ...release(build),
      '--upgrade-mode',
      'last-state',
      '--json',
    ]
    const sent = ground.fake.requests.length
    const refused = await cli(lastState('v2'))
    expect(refused.code, explain(refused)).toBe(4)
    const result = ndjson(refused.stdout).at(-1)!
    expect(result.outcome).toBe('aborted-blue-untouched')
    expect(result.summary).toMatch(/last-state refused: .*Source: events .*--assume-sources-replay/)
    expect(ground.fake.cluster.job(blue)?.state).toBe('RUNNING')
    const changes = ground.fake.requests
      .slice(sent)
      .filter((q) => q.method !== 'GET' && q.path.includes(blue))
    expect(changes).toEqual([])

    const byEnv = await cli(lastState('v2'), { FLINK_DEPLOY_ASSUME_SOURCES_REPLAY: 'true' })
    expect(byEnv.code, explain(byEnv)).toBe(0)
    expect(ndjson(byEnv.stdout).at(-1)!.savepointPath).toMatch(/chk-\d+/)
    writeFileSync(join(ground.dir, 'deploy.yaml'), 'assume-sources-replay: true\n')
    const byConfig = await cli([...lastState('v3'), '--config', 'deploy.yaml'])
    expect(byConfig.code, explain(byConfig)).toBe(0)
    const byFlag = await cli([...lastState('v4'), '--assume-sources-replay'])
    expect(byFlag.code, explain(byFlag)).toBe(0)
  })
})

describe('savepoint format on a job on async state (refuses canonical savepoints)', {
  timeout: 60_000,
}, () => {
  it('native as a flag, an environment variable and a config-file key: each upgrades', async () => {
    const asyncRelease = (build: string) => release(build, ['--async-state'])
    const first = await cli(['upgrade', ...asyncRelease('v1'), '--json'])
    expect(first.code, explain(first)).toBe(0)
    writeFileSync(join(ground.dir, 'native.yaml'), 'savepoint-format: native\n')
    const ways: [string, string[], Record<string, string>][] = [
      ['flag', ['--savepoint-format', 'native'], {}],
      ['environment', [], { FLINK_DEPLOY_SAVEPOINT_FORMAT: 'native' }],
      ['config file', ['--config', 'native.yaml'], {}],
    ]
    for (const [way, flags, env] of ways) {
      const run = await cli(
        ['upgrade', ...asyncRelease(`v2-${way.replace(' ', '-')}`), ...flags, '--json'],
        env,
      )
      expect(run.code, `${way}: ${explain(run)}`).toBe(0)
      const result = ndjson(run.stdout).at(-1)!
      expect(result, way).toMatchObject({ outcome: 'upgraded', savepointFormat: 'native' })
    }
  })

  it('the savepoint command takes --savepoint-format: canonical is refused, native is taken', async () => {
    const first = await cli(['upgrade', ...release('v1', ['--async-state']), '--json'])
    expect(first.code, explain(first)).toBe(0)
    const id = ndjson(first.stdout).at(-1)!.greenJobId as string
    const canonical = await cli(['savepoint', id])
    expect(canonical.code, explain(canonical)).toBe(1)
    const native = await cli(['savepoint', id, '--savepoint-format', 'native'])
    expect(native.code, explain(native)).toBe(0)
    expect(ground.fake.cluster.snapshot(native.stdout.trim())?.isSavepoint).toBe(true)
  })
})

describe('YAML config file', { timeout: 30_000 }, () => {
  it('runs an upgrade from a YAML file with the same keys as JSON', async () => {
    await deployV1()
    const yaml = [
      `job-name: ${ground.job}`,
      'strategy: blue-green',
      `jar: ${fakeJar(ground.dir, 'v2.jar')}`,
      `args: [--name, ${ground.job}, --release, v2]`,
      'verify-stabilisation: 150ms',
      'verify-timeout: 5s',
      'flink-config:',
      '  pipeline.name: from-yaml',
    ].join('\n')
    writeFileSync(join(ground.dir, 'deploy.yaml'), yaml)
    const run = await cli(['upgrade', '--config', 'deploy.yaml', '--json'])
    expect(run.code, explain(run)).toBe(0)
    expect(ndjson(run.stdout).at(-1)).toMatchObject({ outcome: 'upgraded', strategy: 'blue-green' })
  })

  it('a typo in a key or a bad value: exit 2 naming the file, the line and what was expected', async () => {
    writeFileSync(join(ground.dir, 'typo.yml'), `job-name: ${ground.job}\n\nparalelism: 2\n`)
    const typo = await cli(['upgrade', '--jar', fakeJar(ground.dir, 'x.jar'), '--config', 'typo.yml'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('typo.yml:3: unknown setting "paralelism"; did you mean "parallelism"?')
    writeFileSync(
      join(ground.dir, 'bad.yaml'),
      `job-name: ${ground.job}\nstrategy: blue-green\nverify-timeout: soon\n`,
    )
    const bad = await cli(['upgrade', '--jar', fakeJar(ground.dir, 'x.jar'), '--config', 'bad.yaml'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(
      'bad.yaml:3: verify-timeout: expected a duration such as 500ms, 30s, 5m or 1h, got "soon"',
    )
    expect(bad.stderr).toContain('Run `flink-deploy upgrade --help` for usage.')
  })
})

describe('exit', { timeout: 30_000 }, () => {
  it('exits within 300 ms of its result, whose total is the time since the process started', async () => {
    // Flink's REST caches as they are by default (web.refresh-interval 3 s).
    const cached = await serveFakeFlink({
      version: '2.3.0',
      timing: { programSecondMs: 20 },
      restCacheMs: 3_000,
    })
    try {
      const env = { FLINK_DEPLOY_FLINK_URL: cached.url }
      const first = await runCli(['upgrade', ...release('v1'), '--json'], { cwd: ground.dir, env })
      expect(first.code, explain(first)).toBe(0)
      const spawnedAt = Date.now()
      const running = startCli(['upgrade', ...release('v2'), '--json'], { cwd: ground.dir, env })
      let resultAt = 0
      running.child.stdout!.on('data', () => {
        if (!resultAt && running.stdout().includes('"type":"result"')) resultAt = Date.now()
      })
      const exitedAt = await new Promise<number>((resolve) =>
        running.child.on('exit', () => resolve(Date.now())),
      )
      const run = await running.done
      expect(run.code, explain(run)).toBe(0)
      const result = ndjson(run.stdout).at(-1)!
      expect(result).toMatchObject({ type: 'result', outcome: 'upgraded' })
      expect(exitedAt - resultAt).toBeLessThan(300)
      // From the process's start: at most what the parent measured, short of it by the start-up at most.
      const waited = resultAt - spawnedAt
      expect(result.totalMs).toBeLessThanOrEqual(waited)
      expect(result.totalMs).toBeGreaterThan(waited - 1_000)
    } finally {
      await cached.close()
    }
  })
})

describe('Ctrl-C', { timeout: 40_000 }, () => {
  it('stops at the next safe point, says what runs and which savepoint to use; resume finishes', async () => {
    await deployV1()
    const args = ['upgrade', ...release('v2'), '--verify-stabilisation', '2s', '--verify-timeout', '30s']
    const running = startCli(args, { cwd: ground.dir, env: { FLINK_DEPLOY_FLINK_URL: ground.fake.url } })
    await running.waitFor(/▶ Verifying green/)
    running.child.kill('SIGINT')
    const run = await running.done
    expect(run.code, explain(run)).toBe(5)
    expect(run.stderr).toContain('Cancelling at the next safe point')
    const green = /green job submitted: ([0-9a-f]{32})/.exec(run.stdout)![1]!
    const savepoint = /savepoint: (\S+)/.exec(run.stdout)![1]!
    expect(run.stdout).toMatch(
      new RegExp(`Cancelled during verifyingGreen\\. Running now: green job ${green} \\([A-Z]+\\)\\.`),
    )
    expect(run.stdout).toContain(`Savepoint to use: ${savepoint}`)
    expect(run.stdout).toContain(
      `Continue the run with: flink-deploy resume --state-file .flink-deploy/${ground.job}.json`,
    )

    const resumed = await cli(['resume', '--state-file', `.flink-deploy/${ground.job}.json`, '--json'])
    expect(resumed.code, explain(resumed)).toBe(0)
    expect(ndjson(resumed.stdout).at(-1)).toMatchObject({
      outcome: 'upgraded',
      greenJobId: green,
      savepointPath: savepoint,
    })
  })

  it('a second Ctrl-C exits at once (130) and names the resume command; resume finishes', async () => {
    // Savepoints take 3 s here, so both Ctrl-Cs land while blue is being stopped (not a safe point).
    const slow = await serveFakeFlink({
      version: '2.3.0',
      timing: { programSecondMs: 20, savepointMs: 3_000 },
    })
    try {
      const env = { FLINK_DEPLOY_FLINK_URL: slow.url }
      expect((await runCli(['upgrade', ...release('v1')], { cwd: ground.dir, env })).code).toBe(0)
      const running = startCli(['upgrade', ...release('v2')], { cwd: ground.dir, env })
      await running.waitFor(/▶ Stopping blue with a savepoint/)
      running.child.kill('SIGINT')
      await running.waitFor(/Cancelling at the next safe point/, 'stderr')
      running.child.kill('SIGINT')
      const run = await running.done
      expect(run.code, explain(run)).toBe(130)
      expect(run.stderr).toContain('Exited at once; the run was not finished.')
      expect(run.stderr).toContain(`flink-deploy resume --state-file .flink-deploy/${ground.job}.json`)

      const resumed = await runCli(['resume', '--job-name', ground.job], { cwd: ground.dir, env })
      expect(resumed.code, explain(resumed)).toBe(0)
      expect(resumed.stdout).toMatch(/Upgraded: green job [0-9a-f]{32} runs from savepoint/)
      expect(slow.cluster.snapshots().filter((s) => s.isSavepoint)).toHaveLength(1)
    } finally {
      await slow.close()
    }
  })
})

describe('manual promotion across processes', { timeout: 30_000 }, () => {
  it('upgrade waits (exit 0), promote in another process stops blue (exit 0)', async () => {
    const blue = await deployV1()
    const waiting = await cli(['upgrade', ...release('v2'), '--strategy', 'blue-green', '--manual-promotion'])
    expect(waiting.code, explain(waiting)).toBe(0)
    expect(waiting.stdout).toMatch(/outcome +awaiting-promotion/)
    expect(waiting.stdout).toContain(`flink-deploy promote --state-file .flink-deploy/${ground.job}.json`)
    expect(ground.fake.cluster.job(blue)!.state).toBe('RUNNING')

    const promoted = await cli(['promote', '--state-file', `.flink-deploy/${ground.job}.json`, '--json'])
    expect(promoted.code, explain(promoted)).toBe(0)
    expect(ndjson(promoted.stdout).at(-1)).toMatchObject({ outcome: 'upgraded', blueJobId: blue })
    expect(ground.fake.cluster.job(blue)!.state).toBe('FINISHED')
  })

  it('reject in another process cancels green; blue keeps running (exit 0)', async () => {
    const blue = await deployV1()
    const waiting = await cli([
      'upgrade',
      ...release('v2'),
      '--strategy',
      'blue-green',
      '--manual-promotion',
      '--json',
    ])
    expect(waiting.code, explain(waiting)).toBe(0)
    const green = ndjson(waiting.stdout).at(-1)!.greenJobId as string
    const rejected = await cli(['reject', '--job-name', ground.job, '--reason', 'lag grows'])
    expect(rejected.code, explain(rejected)).toBe(0)
    expect(rejected.stdout).toMatch(/outcome +aborted-blue-untouched/)
    expect(ground.fake.cluster.job(green)!.state).toBe('CANCELED')
    expect(ground.fake.cluster.job(blue)!.state).toBe('RUNNING')
  })

  it('promote without a run in the state file: exit 2', async () => {
    const run = await cli(['promote', '--state-file', 'missing.json'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--state-file: no run to promote in missing.json')
  })
})

describe('cluster commands', { timeout: 30_000 }, () => {
  it('status: version, slots, jobs with their last checkpoint', async () => {
    const id = await deployV1()
    const human = await cli(['status', '--job-name', ground.job])
    expect(human.code, explain(human)).toBe(0)
    expect(human.stdout).toContain(`Flink 2.3.0 at ${ground.fake.url}`)
    expect(human.stdout).toMatch(/task managers 1, slots 64 \(\d+ free\)/)
    expect(human.stdout).toMatch(new RegExp(`RUNNING +${ground.job} +${id}`))
    expect(human.stdout).toMatch(/last checkpoint +#\d+, .* ago, file:/)
    const json = await cli(['status', '--json'])
    const [status] = ndjson(json.stdout)
    expect(status).toMatchObject({ type: 'status', flinkVersion: '2.3.0', taskManagers: 1, slotsTotal: 64 })
    expect((status!.jobs as { id: string }[]).some((j) => j.id === id)).toBe(true)
  })

  it('status: a job RUNNING whose subtasks wait for slots is shown as not processing', async () => {
    const id = await deployV1()
    ground.fake.faults.loseTaskManager(id)
    await expect.poll(() => ground.fake.cluster.job(id)?.state).toBe('RUNNING')
    await expect.poll(() => ground.fake.cluster.job(id)?.vertices[0]?.status).toBe('SCHEDULED')
    const total = ground.fake.cluster.job(id)!.vertices.reduce((n, v) => n + v.parallelism, 0)
    const human = await cli(['status', '--job-name', ground.job])
    expect(human.code, explain(human)).toBe(0)
    expect(human.stdout).toContain(
      `RUNNING but 0 of ${total} subtasks run: it processes nothing until its subtasks get slots`,
    )
    const [status] = ndjson((await cli(['status', '--job-name', ground.job, '--json'])).stdout)
    expect(status!.jobs).toMatchObject([{ id, tasks: { running: 0, total }, subtasksRunning: false }])
    await cli(['cancel', id])
  })

  it('savepoint prints the path (just the path when not a terminal); --stop ends the job', async () => {
    const id = await deployV1()
    const run = await cli(['savepoint', id])
    expect(run.code, explain(run)).toBe(0)
    expect(run.stdout).toMatch(/^file:\S+\n$/)
    expect(ground.fake.cluster.snapshot(run.stdout.trim())?.isSavepoint).toBe(true)
    const byName = await cli(['savepoint', '--job-name', ground.job, '--stop', '--json'])
    expect(byName.code, explain(byName)).toBe(0)
    expect(ndjson(byName.stdout)[0]).toMatchObject({ type: 'result', jobId: id, stopped: true })
    expect(ground.fake.cluster.job(id)!.state).toBe('FINISHED')
    const none = await cli(['savepoint', '--job-name', ground.job])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain(`no live job named "${ground.job}"`)
  })

  it('cancel ends the job', async () => {
    const id = await deployV1()
    const run = await cli(['cancel', id])
    expect(run.code, explain(run)).toBe(0)
    expect(run.stdout).toBe(`Job ${id} cancelled (CANCELED).\n`)
    expect(ground.fake.cluster.job(id)!.state).toBe('CANCELED')
    const bad = await cli(['cancel', 'not-a-job'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('job id: expected a Flink job id')
  })

  it('jars list shows what uses each jar; jars prune deletes the unused ones (dry run first)', async () => {
    await deployV1()
    expect((await cli(['upgrade', ...release('v2')])).code).toBe(0)
    const jars = ground.fake.cluster.jars().filter((j) => j.name.startsWith(`${ground.job}-`))
    const v1 = jars.find((j) => j.name.startsWith(`${ground.job}-v1-`))!
    const v2 = jars.find((j) => j.name.startsWith(`${ground.job}-v2-`))!

    const list = await cli(['jars', 'list', '--json'])
    expect(list.code, explain(list)).toBe(0)
    const listed = ndjson(list.stdout)[0]!.jars as { id: string; usedBy: string[] }[]
    expect(listed.find((j) => j.id === v2.id)!.usedBy).toContain(`release of ${ground.job}`)
    expect(listed.find((j) => j.id === v1.id)!.usedBy).toEqual([])

    const dry = await cli(['jars', 'prune', '--dry-run'])
    expect(dry.code, explain(dry)).toBe(0)
    expect(dry.stdout).toContain(`would delete  ${v1.id}`)
    expect(ground.fake.cluster.jars().some((j) => j.id === v1.id)).toBe(true)

    const prune = await cli(['jars', 'prune'])
    expect(prune.code, explain(prune)).toBe(0)
    expect(prune.stdout).toContain(`deleted  ${v1.id}`)
    expect(prune.stdout).toContain(`kept          ${v2.id}  (release of ${ground.job}`)
    expect(ground.fake.cluster.jars().some((j) => j.id === v1.id)).toBe(false)
    expect(ground.fake.cluster.jars().some((j) => j.id === v2.id)).toBe(true)
  })
})

describe('help and version', { timeout: 30_000 }, () => {
  it.each([
    'upgrade',
    'resume',
    'promote',
    'reject',
    'status',
    'savepoint',
    'cancel',
    'jars list',
    'jars prune',
  ])('%s --help', async (command) => {
    const run = await cli([...command.split(' '), '--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`flink-deploy ${command}: `)
    expect(run.stdout).toMatch(/Examples:\n( {2}#.*\n)? {2}flink-deploy /)
    expect(run.stdout).toContain('--flink-url <url>')
  })

  it.each([
    ['jars', ['jars list', 'jars prune']],
    ['savepoints', ['savepoints list', 'savepoints prune']],
  ])('%s --help lists its commands; %s alone names them', async (group, members) => {
    const help = await cli([group, '--help'])
    expect(help.code).toBe(0)
    for (const m of members) expect(help.stdout).toMatch(new RegExp(`^  ${m} +\\S`, 'm'))
    const bare = await cli([group])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain(`expected ${members.map((m) => `\`${m}\``).join(' or ')}`)
  })

  it('--help lists the commands and exit codes; --version prints the version', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('jars prune')
    expect(help.stdout).toContain('3    rolled back')
    const version = await cli(['--version'])
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(version.stdout).toBe(`${pkg.version}\n`)
    const verbose = await cli(['--version', '--verbose'])
    expect(verbose.code).toBe(0)
    expect(verbose.stdout).toBe(
      `flink-deploy ${pkg.version}\nnode ${process.version} (${process.platform} ${process.arch})\ns3 state store: available\n`,
    )
  })
})
