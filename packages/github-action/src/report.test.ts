import type { UpgradeResult } from '@flink-deploy/core'
import { describe, expect, it } from 'vitest'
import { currentJobId, pathFlowchart, recoveryMessage, renderSummary, StepLog } from './report.ts'

const BLUE = 'b'.repeat(32)
const GREEN = 'c'.repeat(32)
const RESTARTED = 'd'.repeat(32)
const SP = 'file:/savepoints/savepoint-1'

const rolledBack: UpgradeResult = {
  outcome: 'rolled-back',
  runId: 'r',
  strategy: 'stop-and-restart',
  blueJobId: BLUE,
  greenJobId: GREEN,
  running: [
    {
      role: 'blue-restarted',
      jobId: RESTARTED,
      state: 'RUNNING',
      cluster: 'http://flink:8081',
      tasks: { running: 2, total: 2 },
      subtasksRunning: true,
    },
  ],
  savepointPath: SP,
  savepointFormat: 'canonical',
  plan: [],
  steps: [
    { step: 'preflight', durationMs: 80 },
    { step: 'stoppingBlue', durationMs: 1200 },
    { step: 'startingGreen', durationMs: 30 },
    { step: 'verifyingGreen', durationMs: 2500 },
    { step: 'rollingBack', durationMs: 900 },
  ],
  totalMs: 4710,
  downtimeMs: 4000,
  timeline: { startedAt: 0, endedAt: 4710 },
  checks: [
    {
      name: 'stable-for',
      passed: false,
      message: 'restarted 1 time',
      evidence: { numRestarts: 1 },
      startedAt: 0,
      durationMs: 10,
    },
  ],
  rollbackChecks: [],
  error: { step: 'verifyingGreen', code: 'VERIFICATION_FAILED', message: 'stable-for failed' },
  warnings: ['a <b>warning</b> | with a pipe'],
  summary: `Rolled back: stable-for failed. Now running: blue-restarted job ${RESTARTED}; recover from savepoint ${SP}.`,
}
const facts = { action: 'deploy', target: 'orders', stateFile: '/ws/.flink-deploy/orders.json' }

describe('StepLog', () => {
  it('logs progress at most every 10 s per kind, and always the report that completes it', () => {
    const log: string[] = []
    const steps = new StepLog({
      info: (m) => log.push(m),
      warning: () => {},
      startGroup: (n) => log.push(`group ${n}`),
      endGroup: () => log.push('endgroup'),
    })
    const sp = (at: number, acknowledged: number, bytes: number) =>
      steps.onEvent({
        type: 'savepoint-progress',
        jobId: 'b',
        checkpointId: 7,
        acknowledged,
        subtasks: 4,
        bytes,
        at,
      })
    steps.onEvent({ type: 'step-entered', step: 'stoppingBlue', at: 0 })
    sp(1_000, 0, 0)
    sp(2_000, 1, 5 * 1024 * 1024)
    sp(11_000, 2, 50 * 1024 * 1024)
    sp(12_000, 4, 60 * 1024 * 1024)
    steps.onEvent({ type: 'step-entered', step: 'verifyingGreen', at: 13_000 })
    const restore = (at: number, running: number) =>
      steps.onEvent({
        type: 'restore-progress',
        role: 'green',
        jobId: 'g',
        initializing: 4 - running,
        running,
        subtasks: 4,
        at,
      })
    restore(13_100, 0)
    restore(14_000, 4)
    steps.close()
    expect(log).toEqual([
      'group Stopping blue with a savepoint',
      'savepoint 7: 0/4 subtasks acknowledged, 0.0 KB written',
      'savepoint 7: 2/4 subtasks acknowledged, 50.0 MB written',
      'savepoint 7: 4/4 subtasks acknowledged, 60.0 MB written',
      'endgroup',
      'group Verifying green',
      'green restoring: 0/4 subtasks running, 4 initializing',
      'green restoring: 4/4 subtasks running, 0 initializing',
      'endgroup',
    ])
  })

  it('keeps what a step produced inside its group and closes it when the next step starts', () => {
    const log: string[] = []
    const steps = new StepLog({
      info: (m) => log.push(m),
      warning: (m, p) => log.push(`warning[${p?.title}] ${m}`),
      startGroup: (n) => log.push(`group ${n}`),
      endGroup: () => log.push('endgroup'),
    })
    steps.onEvent({ type: 'step-entered', step: 'stoppingBlue', at: 0 })
    steps.onEvent({ type: 'step-left', step: 'stoppingBlue', at: 1, durationMs: 1500 })
    steps.onEvent({
      type: 'savepoint-taken',
      location: SP,
      triggerId: 't',
      kind: 'savepoint',
      reconciled: false,
      at: 1,
    })
    steps.onEvent({ type: 'step-entered', step: 'verifyingGreen', at: 2 })
    steps.onEvent({ type: 'check-result', role: 'green', result: rolledBack.checks[0]! })
    steps.close()
    steps.close()
    expect(log).toEqual([
      'group Stopping blue with a savepoint',
      `  savepoint: ${SP}`,
      'step done in 1.5 s',
      'endgroup',
      'group Verifying green',
      '  ✗ stable-for: restarted 1 time (10 ms)',
      'warning[Check failed on green: stable-for] ✗ stable-for: restarted 1 time (10 ms)',
      'endgroup',
    ])
  })
})

describe('summary', () => {
  it('job-id is the job that runs the release now', () => {
    expect(currentJobId(rolledBack)).toBe(RESTARTED)
    expect(currentJobId({ ...rolledBack, outcome: 'upgraded' })).toBe(GREEN)
    expect(currentJobId({ ...rolledBack, outcome: 'aborted-blue-untouched' })).toBe(BLUE)
  })

  it('draws the path taken, the failing steps and the outcome', () => {
    expect(pathFlowchart(rolledBack)).toBe(
      [
        'flowchart LR',
        '  s0["Preflight: cluster, blue job, jar, state compatibility<br/>80 ms"]',
        '  s1["Stopping blue with a savepoint<br/>1.2 s"]',
        '  s2["Starting green<br/>30 ms"]',
        '  s3["Verifying green<br/>2.5 s"]',
        '  s4["Rolling back: cancelling green, running blue again from the savepoint<br/>900 ms"]',
        '  outcome(["↩️ Rolled back"])',
        '  s0 --> s1 --> s2 --> s3 --> s4 --> outcome',
        '  classDef ok fill:#dafbe1,stroke:#1a7f37',
        '  classDef fail fill:#ffebe9,stroke:#cf222e',
        '  classDef wait fill:#fff8c5,stroke:#9a6700',
        '  class outcome fail',
        '  class s3,s4 fail',
      ].join('\n'),
    )
  })

  it('says what runs now and how to recover, and escapes what it did not write', () => {
    expect(recoveryMessage(rolledBack, facts)).toBe(
      `${rolledBack.summary} The release did not go out: the previous release runs again from savepoint ${SP}. Fix the release and deploy again.`,
    )
    const md = renderSummary(rolledBack, facts)
    expect(md).toContain('## ↩️ Rolled back: orders')
    expect(md).toContain('### What runs now and how to recover')
    expect(md).toContain('- a &lt;b&gt;warning&lt;/b&gt; &#124; with a pipe')
    expect(md).toContain('<details><summary>✗ stable-for: restarted 1 time (10 ms)</summary>')
    expect(md).toContain('| 5 | `rollingBack` |')
  })

  it('a cancelled run that needs attention points to action: resume', () => {
    const cancelled: UpgradeResult = {
      ...rolledBack,
      outcome: 'failed-needs-attention',
      error: { step: 'startingGreen', code: 'CANCELLED', message: 'cancelled during startingGreen' },
    }
    expect(recoveryMessage(cancelled, facts)).toContain(
      'Run this action again with action: resume and state-file: /ws/.flink-deploy/orders.json to continue the run.',
    )
  })
})
