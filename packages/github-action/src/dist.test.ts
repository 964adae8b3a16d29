/**
 * The committed bundle must be what the sources build: rebuilt into a temporary directory and compared byte
 * for byte. When this fails, run `pnpm --filter @flink-deploy/github-action run bundle` and commit dist/.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { DIST } from './action-test-kit.ts'
import { bundle } from './bundle.ts'

it('dist/index.js is up to date with the sources', { timeout: 60_000 }, async () => {
  const fresh = join(mkdtempSync(join(tmpdir(), 'flink-deploy-bundle-')), 'index.js')
  const metafile = await bundle(fresh)
  // One copy of undici: @actions/http-client's undici 6 is resolved to core's undici 8.
  const undicis = new Set(
    Object.keys(metafile.inputs).flatMap((p) => /\/(undici@[^/]+)\//.exec(p)?.[1] ?? []),
  )
  expect([...undicis]).toEqual(['undici@8.13.1'])
  const built = readFileSync(fresh)
  const committed = readFileSync(DIST)
  const same = built.equals(committed)
  expect(
    same,
    same
      ? ''
      : `dist/index.js is stale (${committed.length} bytes committed, ${built.length} built): run pnpm --filter @flink-deploy/github-action run bundle`,
  ).toBe(true)
})

it('the bundle is one ESM file for Node 24 that gives bundled CommonJS a require', () => {
  const text = readFileSync(DIST, 'utf8')
  expect(text.split('\n').slice(1, 3)).toEqual([
    "import { createRequire as __flinkDeployCreateRequire } from 'node:module';",
    'const require = __flinkDeployCreateRequire(import.meta.url);',
  ])
  // No absolute paths of the machine that built it, no test-only code.
  expect(text).not.toContain(process.cwd())
  expect(text).not.toMatch(/from ['"]msw|@mswjs\/interceptors/)
  const action = readFileSync(new URL('../action.yml', import.meta.url), 'utf8')
  expect(action).toMatch(/runs:\n {2}using: node24\n {2}main: dist\/index\.js\n/)
})
