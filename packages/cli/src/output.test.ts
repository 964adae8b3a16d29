import type { UpgradeEvent } from '@flink-deploy/core'
import { describe, expect, it } from 'vitest'
import { createRenderer, type Mode } from './output.ts'

const events: UpgradeEvent[] = [
  { type: 'step-entered', step: 'stoppingBlue', at: Date.now() },
  {
    type: 'savepoint-progress',
    jobId: 'b',
    checkpointId: 7,
    acknowledged: 1,
    subtasks: 4,
    bytes: 3 * 1024 * 1024,
    at: 1,
  },
  {
    type: 'savepoint-progress',
    jobId: 'b',
    checkpointId: 7,
    acknowledged: 3,
    subtasks: 4,
    bytes: 9 * 1024 * 1024,
    at: 2,
  },
]
const later = (acknowledged: number, at: number): UpgradeEvent => ({
  type: 'savepoint-progress',
  jobId: 'b',
  checkpointId: 7,
  acknowledged,
  subtasks: 4,
  bytes: acknowledged * 3 * 1024 * 1024,
  at,
})

function render(mode: Mode, all = events) {
  let text = ''
  const renderer = createRenderer(mode, { isTTY: mode === 'human', columns: 200, write: (t) => (text += t) })
  for (const event of all) renderer.event(event)
  renderer.close()
  return text
}

describe('progress of a long step', () => {
  it('updates the live line in a terminal, never as lines of their own', () => {
    const text = render('human')
    const lines = text.split('\n')
    expect(lines.filter((l) => l.includes('subtasks acknowledged'))).toEqual([
      expect.stringContaining('savepoint 7: 3/4 subtasks acknowledged, 9.0 MB written'),
    ])
    const redraws = text.split('\r\x1b[2K')
    expect(redraws).toContainEqual(
      expect.stringMatching(
        /^\S Stopping blue with a savepoint · .* · savepoint 7: 1\/4 subtasks acknowledged, 3\.0 MB written$/,
      ),
    )
    // The live line is cleared at the end: the last redraw holds the latest report, not a printed line.
    expect(text.endsWith('\r\x1b[2K')).toBe(true)
  })

  it('prints plain lines at the rate of a log when stdout is not a terminal: every 10 s, and the last', () => {
    expect(
      render('plain', [...events, later(3, 10_001), later(3, 10_002), later(4, 10_003)]).split('\n'),
    ).toEqual([
      '▶ Stopping blue with a savepoint',
      '  savepoint 7: 1/4 subtasks acknowledged, 3.0 MB written',
      '  savepoint 7: 3/4 subtasks acknowledged, 9.0 MB written',
      '  savepoint 7: 4/4 subtasks acknowledged, 12.0 MB written',
      '',
    ])
  })

  it('is one NDJSON event per report with --json', () => {
    const lines = render('json')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines[1]).toEqual(events[1])
  })
})
