/**
 * Builds what is published and downloaded: `node src/packaging/build.ts [--no-sea]`.
 *
 * - dist/: the npm package's JavaScript, bundled by esbuild (one file to load instead of hundreds: start-up
 *   is mostly module loading). `bin.js` and `index.js` share chunks; the YAML parser is a chunk of its own,
 *   loaded for a YAML config file. The AWS SDK stays an ordinary dependency, imported only when an s3://
 *   state store is used. Type declarations come from tsc; they name @flink-deploy/core's types, which is why
 *   the package depends on core although its code is inside the bundle.
 * - sea/flink-deploy-linux-x64: a Node single executable application with everything inside, for
 *   pipelines without Node (Linux x64 only: it is this Node binary with the bundle injected).
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BuildOptions, build, type Plugin } from 'esbuild'

export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url))
export const DIST = join(PACKAGE_DIR, 'dist')
export const SEA_DIR = join(PACKAGE_DIR, 'sea')
/** Oldest Node the published packages support (engines in package.json). */
export const NODE_TARGET = 'node22.19'

const require = createRequire(import.meta.url)
const pkg = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }

// Bundled CommonJS dependencies (undici) require Node's built-in modules.
const REQUIRE_BANNER = [
  "import { createRequire as __flinkDeployCreateRequire } from 'node:module';",
  'const require = __flinkDeployCreateRequire(import.meta.url);',
].join('\n')

const CORE_DIR = join(PACKAGE_DIR, '../core')
/** The CLI's modules on the start-up path, and what they take from core. */
const STARTUP_IMPORTERS = new Set(['cli.ts', 'io.ts', 'settings.ts'].map((f) => join(PACKAGE_DIR, 'src', f)))
const CORE_AT_STARTUP = [
  "export { redact, registerSecret } from './src/redact.ts'",
  "export { isFlinkDeployError } from './src/errors.ts'",
  "export { loadS3Sdk } from './src/object-store/s3-sdk.ts'",
  "export { UPGRADE_SETTINGS } from './src/settings/declaration.ts'",
].join('\n')

/**
 * Core's entry re-exports everything, and with code splitting esbuild keeps every module behind it in the
 * start-up chunk of any importer, even for one function: `--help` would load the client, undici and the
 * machines (three quarters of its time). The start-up modules import core's few files they use instead; a
 * name missing here fails the build. The files are the same modules the rest of core uses (one registry of
 * secrets).
 */
const coreAtStartup: Plugin = {
  name: 'core-at-startup',
  setup(b) {
    b.onResolve({ filter: /^@flink-deploy\/core$/ }, (args) =>
      STARTUP_IMPORTERS.has(args.importer)
        ? { path: 'core-at-startup', namespace: 'flink-deploy' }
        : undefined,
    )
    b.onLoad({ filter: /^core-at-startup$/, namespace: 'flink-deploy' }, () => ({
      contents: CORE_AT_STARTUP,
      resolveDir: CORE_DIR,
      loader: 'ts',
    }))
  },
}

/**
 * undici's entry loads all of it (fetch, WebSocket, caches, mocks: most of the bundle and some 20 MB of
 * memory); core uses its Pool alone. A missing name fails the build.
 */
const UNDICI_POOL = [
  "import Pool from 'undici/lib/dispatcher/pool.js'",
  "import Dispatcher from 'undici/lib/dispatcher/dispatcher.js'",
  "import api from 'undici/lib/api/index.js'",
  // What undici's own entry does: dispatcher.request() and the other calls come from the api mixin.
  'Object.assign(Dispatcher.prototype, api)',
  'export { Pool }',
].join('\n')

const poolOnlyUndici: Plugin = {
  name: 'pool-only-undici',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici-pool', namespace: 'flink-deploy' }))
    b.onLoad({ filter: /^undici-pool$/, namespace: 'flink-deploy' }, () => ({
      contents: UNDICI_POOL,
      resolveDir: CORE_DIR,
      loader: 'js',
    }))
  },
}

const common: BuildOptions = {
  absWorkingDir: PACKAGE_DIR,
  bundle: true,
  platform: 'node',
  target: NODE_TARGET,
  minify: true,
  // Non-ASCII characters as escapes: V8 keeps a source with one character above Latin-1 at two bytes a
  // character, for as long as the process runs.
  charset: 'ascii',
  legalComments: 'eof',
  logLevel: 'warning',
  define: { FLINK_DEPLOY_VERSION: JSON.stringify(pkg.version) },
  plugins: [poolOnlyUndici],
}

/** dist/: bin.js, index.js and their shared chunks, with source maps and declarations. */
export async function buildPackage(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true })
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin/tsc')
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: PACKAGE_DIR, stdio: 'inherit' })
  await build({
    ...common,
    entryPoints: ['src/bin.ts', 'src/index.ts'],
    outdir: 'dist',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    // Installed beside the CLI from npm; loaded with import() only when an s3:// store is used.
    external: ['@aws-sdk/*'],
    plugins: [coreAtStartup, poolOnlyUndici],
    banner: { js: REQUIRE_BANNER },
  })
}

/** The bundle a single executable runs: CommonJS (what Node's SEA loader takes), every dependency inside. */
export async function buildSeaBundle(outfile: string): Promise<void> {
  await build({
    ...common,
    entryPoints: ['src/packaging/sea-main.ts'],
    outfile,
    format: 'cjs',
    sourcemap: false,
    // help.ts reads package.json through import.meta only when FLINK_DEPLOY_VERSION is not defined.
    logOverride: { 'empty-import-meta': 'silent' },
  })
}

/** sea/flink-deploy-linux-x64 (or `dir`/flink-deploy-linux-x64), made from the Node binary running this script. */
export async function buildSea(dir = SEA_DIR): Promise<string | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.warn(
      `single executable skipped: built for linux x64 only, this is ${process.platform} ${process.arch}`,
    )
    return undefined
  }
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const executable = join(dir, 'flink-deploy-linux-x64')
  const main = join(dir, 'flink-deploy.cjs')
  const blob = join(dir, 'flink-deploy.blob')
  const config = join(dir, 'sea-config.json')
  await buildSeaBundle(main)
  writeFileSync(
    config,
    JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }),
  )
  execFileSync(process.execPath, ['--experimental-sea-config', config], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  copyFileSync(process.execPath, executable)
  const { inject } = await import('postject')
  await inject(executable, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  })
  for (const file of [main, blob, config]) rmSync(file)
  return executable
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildPackage()
  if (!process.argv.includes('--no-sea')) {
    const exe = await buildSea()
    if (exe) console.log(`single executable: ${exe}`)
  }
}
