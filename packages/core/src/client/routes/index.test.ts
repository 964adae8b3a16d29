import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { allRoutes, routeGroups } from './index.ts'

/** The endpoint list the client must cover: method, Flink path template, success status. */
const endpoints = readFileSync(new URL('./flink-endpoints.tsv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split('\t'))
  .map(([method, path]) => `${method} ${path}`)

/** Newer endpoints an upgrade needs, beyond the list. */
const additions = [
  'GET /jobs/:jobid/status',
  'POST /jobs/:jobid/checkpoints',
  'GET /jobs/:jobid/checkpoints/:triggerid',
  'GET /jobs/:jobid/resource-requirements',
  'PUT /jobs/:jobid/resource-requirements',
  'GET /jobmanager/environment',
]

describe('route table', () => {
  it('declares all 59 listed endpoints with their literal Flink path templates', () => {
    expect(endpoints).toHaveLength(59)
    const missing = endpoints.filter((key) => !(key in allRoutes))
    expect(missing).toEqual([])
  })

  it('declares the newer endpoints an upgrade needs, and nothing else', () => {
    const declared = Object.keys(allRoutes).sort()
    expect(declared).toEqual([...endpoints, ...additions].sort())
  })

  it('declares each endpoint exactly once across the resource groups', () => {
    const keys = Object.values(routeGroups).flatMap((group) => Object.keys(group))
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('gives every route a method name that is unique within its group', () => {
    for (const group of Object.values(routeGroups)) {
      const names = Object.values(group).map((spec) => spec.name)
      expect(new Set(names).size).toBe(names.length)
    }
  })
})
