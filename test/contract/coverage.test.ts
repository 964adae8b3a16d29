import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { allRoutes } from '../../packages/core/src/client/routes/index.ts'
import { notOnRealFlink } from './coverage.ts'

const suite = readFileSync(new URL('./contract-suite.ts', import.meta.url), 'utf8')

describe('contract suite coverage', () => {
  const keys = Object.keys(allRoutes)

  it.each(keys)('%s is exercised by the contract suite or explained in notOnRealFlink', (key) => {
    const inSuite = suite.includes(`'${key}'`)
    expect(inSuite || key in notOnRealFlink, `${key}: not in contract-suite.ts and no reason given`).toBe(
      true,
    )
    // A route the suite calls needs no excuse.
    expect(inSuite && key in notOnRealFlink, `${key}: listed in notOnRealFlink but the suite calls it`).toBe(
      false,
    )
  })

  it('lists only declared routes', () => {
    expect(Object.keys(notOnRealFlink).filter((k) => !keys.includes(k))).toEqual([])
  })
})
