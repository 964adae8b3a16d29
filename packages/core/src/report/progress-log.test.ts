import { describe, expect, it } from 'vitest'
import type { Progress } from '../steps/progress.ts'
import { ProgressLogRate } from './progress-log.ts'

const savepoint = (acknowledged: number, at: number): Progress => ({
  type: 'savepoint-progress',
  jobId: 'b',
  checkpointId: 1,
  acknowledged,
  subtasks: 4,
  bytes: 0,
  at,
})
const restore = (running: number, at: number): Progress => ({
  type: 'restore-progress',
  role: 'green',
  jobId: 'g',
  running,
  initializing: 4 - running,
  subtasks: 4,
  at,
})

describe('ProgressLogRate', () => {
  it('shows one report per kind every 10 s, always the completing one, and the first after a reset', () => {
    const rate = new ProgressLogRate()
    const shown = [
      savepoint(1, 0),
      savepoint(2, 9_999),
      restore(1, 9_999),
      savepoint(2, 10_000),
      savepoint(4, 10_001),
    ].map((p) => rate.shows(p))
    expect(shown).toEqual([true, false, true, true, true])
    expect(rate.shows(savepoint(3, 10_002))).toBe(false)
    rate.reset()
    expect(rate.shows(savepoint(3, 10_003))).toBe(true)
  })
})
