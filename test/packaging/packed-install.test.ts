/**
 * Installs the packages the way a user does and runs them on each supported Node line: `pnpm pack` of
 * @flink-deploy/core and @flink-deploy/cli (their prepack builds dist/), `npm install` of the tarballs into
 * an empty project outside the workspace, then `flink-deploy --help`, a deployment and a dry-run upgrade
 * against the fake Flink served from the installed `@flink-deploy/core/testing`, and the library imported
 * by a script and by the TypeScript compiler. Runs in the vitest `packaging` project (`./run test:packaging`).
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SettingDeclaration, UPGRADE_SETTINGS } from '../../packages/core/src/settings/declaration.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const NODES = {
  '22': join(ROOT, '.tools/bin/node22'),
  '24': join(ROOT, '.tools/bin/node'),
}
const PEERS = ['msw@3.0.5', '@mswjs/interceptors@0.45.12']

let project: string
let tarballs: string[]

function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    const stdout = execFileSync(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    })
    return { code: 0, stdout, stderr: '' }
  } catch (error) {
    const e = error as { status: number | null; stdout: string; stderr: string }
    return { code: e.status ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

beforeAll(() => {
  for (const [line, node] of Object.entries(NODES))
    if (!existsSync(node))
      throw new Error(`no Node ${line} at ${node}: run ./run (scripts/bootstrap.sh) first`)
  const work = mkdtempSync(join(tmpdir(), 'flink-deploy-packed-'))
  const packs = join(work, 'tarballs')
  mkdirSync(packs)
  for (const pkg of ['core', 'cli'])
    execFileSync('pnpm', ['pack', '--pack-destination', packs], {
      cwd: join(ROOT, 'packages', pkg),
      stdio: ['ignore', 'ignore', 'inherit'],
    })
  tarballs = ['flink-deploy-core-0.1.0.tgz', 'flink-deploy-cli-0.1.0.tgz'].map((t) => join(packs, t))
  project = join(work, 'user-project')
  mkdirSync(project)
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
  )
  // npm, not pnpm: what most users have. Dependencies come from the registry (or npm's cache).
  const install = run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...PEERS],
    { cwd: project },
  )
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.stdout}\n${install.stderr}`)
  writeFileSync(join(project, 'serve-fake.mjs'), SERVE_FAKE)
  writeFileSync(join(project, 'use-library.mjs'), USE_LIBRARY)
  writeFileSync(join(project, 'release.jar'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from('v2')]))
}, 600_000)

describe('the tarballs', () => {
  it('hold compiled JavaScript, declarations, source maps and a README; no TypeScript sources or tests', () => {
    for (const tarball of tarballs) {
      const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n')
      expect(files).toContain('package/README.md')
      expect(files.some((f) => f.endsWith('.js.map'))).toBe(true)
      expect(files.some((f) => f.endsWith('.d.ts'))).toBe(true)
      const sources = files.filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /\.test\./.test(f))
      expect(sources).toEqual([])
    }
    const cli = JSON.parse(readFileSync(join(project, 'node_modules/@flink-deploy/cli/package.json'), 'utf8'))
    expect(cli.bin).toEqual({ 'flink-deploy': './dist/bin.js' })
    expect(cli.engines).toEqual({ node: '>=22.19' })
    const core = JSON.parse(
      readFileSync(join(project, 'node_modules/@flink-deploy/core/package.json'), 'utf8'),
    )
    expect(Object.keys(core.exports)).toEqual(['.', './testing'])
    expect(core.dependencies['@aws-sdk/client-s3']).toBe(cli.dependencies['@aws-sdk/client-s3'])
  })

  it('type-check a consumer that imports both packages', () => {
    writeFileSync(join(project, 'consumer.ts'), CONSUMER)
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          lib: ['es2022', 'dom'],
        },
        files: ['consumer.ts'],
      }),
    )
    const tsc = run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: project })
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0)
  })
})

for (const [line, node] of Object.entries(NODES)) {
  describe(`installed from the tarballs, on Node ${line}`, () => {
    // The bin's `#!/usr/bin/env node` finds this Node first (its own directory, where it is called node).
    const bin = () => dirname(realpathSync(node))
    const env = { ...process.env, PATH: `${bin()}:${process.env.PATH}`, NO_COLOR: '1' }
    let fake: { url: string; stop(): void }

    beforeAll(async () => {
      expect(run(node, ['--version'], { cwd: project }).stdout).toMatch(new RegExp(`^v${line}\\.`))
      fake = await serveFake(node)
    })
    afterAll(() => fake?.stop())

    const cli = (args: string[]) =>
      run(join(project, 'node_modules/.bin/flink-deploy'), args, {
        cwd: project,
        env: { ...env, FLINK_DEPLOY_FLINK_URL: fake.url },
      })

    it('flink-deploy --help, and --version --verbose loads the AWS SDK only when asked', () => {
      const help = cli(['--help'])
      expect(help.code, help.stderr).toBe(0)
      expect(help.stdout).toContain('Usage: flink-deploy <command> [options]')
      const verbose = cli(['--version', '--verbose'])
      expect(verbose.stdout).toContain(`node v${line}.`)
      expect(verbose.stdout).toContain('s3 state store: available')
    })

    it('deploys v1, then a dry-run upgrade to v2 prints the plan and changes nothing', () => {
      const job = `orders-node${line}`
      const args = [
        '--job-name',
        job,
        '--jar',
        'release.jar',
        '--verify-stabilisation',
        '100ms',
        '--arg',
        '--name',
      ]
      const deploy = cli(['upgrade', ...args, '--arg', job, '--arg', '--release', '--arg', 'v1', '--json'])
      expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0)
      expect(JSON.parse(deploy.stdout.trim().split('\n').at(-1)!)).toMatchObject({ outcome: 'upgraded' })
      const dry = cli(['upgrade', ...args, '--arg', job, '--arg', '--release', '--arg', 'v2', '--dry-run'])
      expect(dry.code, dry.stdout + dry.stderr).toBe(0)
      expect(dry.stdout).toContain(`dry run of stop-and-restart of job "${job}"`)
      const status = cli(['status'])
      expect(status.stdout).toMatch(new RegExp(`RUNNING +${job} `))
    })

    it.each(['flag', 'environment', 'config file'] as const)(
      'every declared upgrade setting given as a %s arrives in the --dry-run --json options',
      (way) => {
        const job = `settings-node${line}`
        // stateless excludes initial-savepoint, last-state excludes blue-green and CLAIM, and the hand-over
        // excludes accepting duplicates: runs of their own.
        for (const group of [ALL_BUT_EXCLUSIVE, STATELESS, LAST_STATE, HANDOVER]) {
          const given = sources(way, group)
          const dry = run(
            join(project, 'node_modules/.bin/flink-deploy'),
            [
              'upgrade',
              '--job-name',
              job,
              '--jar',
              'release.jar',
              '--rollback-jar',
              'release.jar',
              '--json',
              ...given.flags,
            ],
            { cwd: project, env: { ...env, FLINK_DEPLOY_FLINK_URL: fake.url, ...given.env } },
          )
          expect(dry.code, dry.stdout + dry.stderr).toBe(0)
          const result = JSON.parse(dry.stdout.trim().split('\n').at(-1)!)
          expect(result.outcome).toBe('dry-run')
          for (const d of group)
            expect(optionAt(result.options, d.option), `${way} ${d.name}`).toEqual(expected(d))
        }
      },
    )

    it('a script imports the library; its main entry loads nothing of the fake or msw', () => {
      const used = run(node, ['use-library.mjs', fake.url], { cwd: project, env })
      expect(used.code, used.stderr).toBe(0)
      const result = JSON.parse(used.stdout)
      expect(result.flinkVersion).toBe('2.3.0')
      expect(result.exports).toEqual(expect.arrayContaining(['createFlinkClient', 'upgrade', 'resume']))
      expect(result.loaded.length).toBeGreaterThan(10)
      expect(result.loaded.filter((u: string) => /\/testing\/|\/msw\/|@mswjs/.test(u))).toEqual([])
    })
  })
}

const DECLARED = UPGRADE_SETTINGS as readonly SettingDeclaration[]
const LAST_STATE_NAMES = ['upgrade-mode', 'last-state-max-age', 'assume-sources-replay']
// The webhooks are never part of a run's options (they are not persisted with it); cli.test.ts follows them.
const NOTIFY_NAMES = ['notify', 'notify-secret', 'notify-steps']
const HANDOVER_NAMES = ['handover', 'handover-path', 'handover-margin']
const ALL_BUT_EXCLUSIVE = DECLARED.filter(
  (d) =>
    d.name !== 'stateless' && ![...LAST_STATE_NAMES, ...NOTIFY_NAMES, ...HANDOVER_NAMES].includes(d.name),
)
const STATELESS = DECLARED.filter((d) => d.name === 'stateless' || d.name === 'dry-run')
const LAST_STATE = DECLARED.filter((d) => LAST_STATE_NAMES.includes(d.name) || d.name === 'dry-run')
const HANDOVER = DECLARED.filter((d) => [...HANDOVER_NAMES, 'strategy', 'dry-run'].includes(d.name))

/** A value other than the default for each setting, as a user types it, and as core holds it. */
function sample(d: SettingDeclaration): { text: string; file: unknown; value: unknown } {
  switch (d.kind) {
    case 'boolean':
      return { text: 'true', file: true, value: true }
    case 'enum':
      return { text: d.values!.at(-1)!, file: d.values!.at(-1)!, value: d.values!.at(-1)! }
    case 'positiveInt':
    case 'count':
      return { text: '1', file: 1, value: 1 }
    case 'duration':
    case 'durationOrZero':
      return { text: '7s', file: '7s', value: 7_000 }
    case 'map':
      return {
        text: `pipeline.name=${d.name}`,
        file: { 'pipeline.name': d.name },
        value: { 'pipeline.name': d.name },
      }
    case 'string':
    case 'secret':
      return { text: `file:///tmp/${d.name}`, file: `file:///tmp/${d.name}`, value: `file:///tmp/${d.name}` }
    case 'list':
      return {
        text: `http://127.0.0.1:9/${d.name}`,
        file: [`http://127.0.0.1:9/${d.name}`],
        value: [`http://127.0.0.1:9/${d.name}`],
      }
  }
}
const expected = (d: SettingDeclaration) => sample(d).value
const optionAt = (options: Record<string, unknown>, path: string) =>
  path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], options)

/** The settings as flags, as FLINK_DEPLOY_* variables, or in a config file (written into the project). */
function sources(way: 'flag' | 'environment' | 'config file', group: readonly SettingDeclaration[]) {
  if (way === 'flag')
    return {
      flags: group.flatMap((d) => (d.kind === 'boolean' ? [`--${d.name}`] : [`--${d.name}`, sample(d).text])),
      env: {},
    }
  if (way === 'environment')
    return {
      flags: [],
      env: Object.fromEntries(
        group.map((d) => [`FLINK_DEPLOY_${d.name.toUpperCase().replaceAll('-', '_')}`, sample(d).text]),
      ),
    }
  const file = join(project, `settings-${group.length}.json`)
  writeFileSync(file, JSON.stringify(Object.fromEntries(group.map((d) => [d.name, sample(d).file]))))
  return { flags: ['--config', file], env: {} }
}

/** The fake Flink from the installed `@flink-deploy/core/testing`, in its own process on this Node. */
function serveFake(node: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(node, ['serve-fake.mjs'], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const url = /^url (\S+)$/m.exec(out)?.[1]
      if (url) resolve({ url, stop: () => child.kill() })
    })
    child.on('exit', (code) => reject(new Error(`the fake exited (${code}) before serving: ${out}`)))
  })
}

const SERVE_FAKE = `import { serveFakeFlink } from '@flink-deploy/core/testing'
const fake = await serveFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })
console.log('url ' + fake.url)
`

const USE_LIBRARY = `import { registerHooks } from 'node:module'
const loaded = []
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context)
    loaded.push(resolved.url)
    return resolved
  },
})
const core = await import('@flink-deploy/core')
const client = core.createFlinkClient({ baseUrl: process.argv[2] })
const overview = await client.cluster.overview()
console.log(JSON.stringify({ flinkVersion: overview['flink-version'], exports: Object.keys(core), loaded }))
`

const CONSUMER = `import { createFlinkClient, upgrade, type UpgradeResult } from '@flink-deploy/core'
import { serveFakeFlink } from '@flink-deploy/core/testing'
import { main, EXIT } from '@flink-deploy/cli'

export async function deploy(jar: string): Promise<UpgradeResult> {
  const fake = await serveFakeFlink({ version: '2.3.0' })
  const client = createFlinkClient({ baseUrl: fake.url })
  return upgrade({ jobName: 'orders', jar }, { client, stateFile: 'orders.json' })
}
export const code: Promise<number> = main(['--help']).then((c) => (c === EXIT.ok ? 0 : c))
`
