import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { generated } from '../scripts/docs.ts'

describe('generated documentation', () => {
  it.each(generated.map((g) => [g.path, g.render] as const))(
    '%s is up to date (run `node scripts/docs.ts`)',
    (path, render) => {
      const committed = readFileSync(path, 'utf8')
      expect(committed).toBe(render(committed))
    },
  )
})
