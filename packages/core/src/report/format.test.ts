import { describe, expect, it } from 'vitest'
import type { UpgradeResult } from '../upgrade/result.ts'
import { formatEvent, formatResult } from './format.ts'

describe('report formatting', () => {
  it('renders events as runbook lines', () => {
    expect(formatEvent({ type: 'step-entered', step: 'stoppingBlue', at: 0 })).toBe(
      '▶ Stopping blue with a savepoint',
    )
    expect(formatEvent({ type: 'step-left', step: 'stoppingBlue', at: 0, durationMs: 5 })).toBeUndefined()
    expect(
      formatEvent({
        type: 'savepoint-taken',
        location: 'file:/sp/1',
        triggerId: 't',
        kind: 'savepoint',
        reconciled: true,
        at: 0,
      }),
    ).toBe('  savepoint: file:/sp/1 (recovered from the job statistics)')
    expect(
      formatEvent({
        type: 'check-result',
        role: 'green',
        result: {
          name: 'restored-from-savepoint',
          passed: false,
          message: 'restored from nothing',
          evidence: {},
          startedAt: 0,
          durationMs: 1500,
        },
      }),
    ).toBe('  ✗ restored-from-savepoint: restored from nothing (1.5 s)')
  })

  it('summarises a result with what runs now and where the savepoint is', () => {
    const result = {
      outcome: 'rolled-back',
      summary: 'Rolled back: green failed.',
      blueJobId: 'b'.repeat(32),
      greenJobId: 'g'.repeat(32),
      running: [{ role: 'blue-restarted', jobId: 'r'.repeat(32), state: 'RUNNING' }],
      savepointPath: 'file:/sp/savepoint-bbbbbb-1',
      totalMs: 12_300,
      warnings: [],
      error: { step: 'verifyingGreen', code: 'VERIFICATION_FAILED', message: 'check stable-for failed' },
    } as unknown as UpgradeResult
    expect(formatResult(result).split('\n')).toEqual([
      'Rolled back: green failed.',
      '  outcome      rolled-back',
      `  blue job     ${'b'.repeat(32)}`,
      `  green job    ${'g'.repeat(32)}`,
      `  running now  blue-restarted ${'r'.repeat(32)} (RUNNING)`,
      '  savepoint    file:/sp/savepoint-bbbbbb-1',
      '  total        12.3 s',
      '  error        verifyingGreen: check stable-for failed',
    ])
  })
})
