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
      running: [
        {
          role: 'blue-restarted',
          jobId: 'r'.repeat(32),
          state: 'RUNNING',
          tasks: { running: 2, total: 2 },
          subtasksRunning: true,
        },
      ],
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

  it('after a failed savepoint: how blue settled and the command that recovers', () => {
    const result = {
      outcome: 'failed-needs-attention',
      summary: 'Needs attention: blue restarted.',
      blueJobId: 'b'.repeat(32),
      running: [
        {
          role: 'blue',
          jobId: 'b'.repeat(32),
          state: 'RUNNING',
          tasks: { running: 0, total: 2 },
          subtasksRunning: false,
        },
      ],
      savepointFormat: 'canonical',
      blueAfterSavepoint: {
        condition: 'restarted',
        state: 'RUNNING',
        failures: 1,
        exceptions: ['java.lang.UnsupportedOperationException: Not supported yet.'],
        watchedMs: 7_700,
      },
      recovery: `flink-deploy upgrade --job-id ${'b'.repeat(32)} --jar v2.jar --savepoint-format native`,
      totalMs: 8_000,
      warnings: [],
    } as unknown as UpgradeResult
    const rows = formatResult(result).split('\n')
    expect(rows).toContain('  savepoint format          canonical')
    expect(rows).toContain(
      `  running now               blue ${'b'.repeat(32)} (RUNNING but 0 of 2 subtasks run)`,
    )
    expect(rows).toContain(
      '  blue after the savepoint  RUNNING again after 1 failure since the savepoint, latest: java.lang.UnsupportedOperationException: Not supported yet.',
    )
    expect(rows).toContain(`  to recover                ${result.recovery}`)
    expect(formatEvent({ type: 'blue-settled', blue: result.blueAfterSavepoint!, at: 0 })).toBe(
      '  blue: RUNNING again after 1 failure since the savepoint, latest: java.lang.UnsupportedOperationException: Not supported yet.',
    )
  })
})
