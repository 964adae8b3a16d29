import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GO_MODULE_DIR, JAEGER_VERSION } from './paths.ts'

describe('the Jaeger version', () => {
  it('is the one go.mod pins (build.sh, which CI runs, reads it from there)', () => {
    const goMod = readFileSync(join(GO_MODULE_DIR, 'go.mod'), 'utf8')
    expect(goMod).toMatch(
      new RegExp(`^\\s*github\\.com/jaegertracing/jaeger ${JAEGER_VERSION.replaceAll('.', '\\.')}\\b`, 'm'),
    )
    expect(goMod).toContain('tool github.com/jaegertracing/jaeger/cmd/jaeger')
  })
})
