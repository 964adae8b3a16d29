/**
 * Plain-text renderings of upgrade events and results, shared by the CLI and the GitHub Action so both say
 * the same things in the same words. No colours, no terminal control: the surfaces add those.
 */
import type { UpgradeEmitted } from '../machines/upgrade-setup.ts'
import { describeEstimate } from '../preflight/downtime-estimate.ts'
import type { Progress } from '../steps/progress.ts'
import type { BlueAfterSavepoint } from '../steps/watch-blue.ts'
import { formatBytes, formatMs } from '../units.ts'
import type { UpgradeResult } from '../upgrade/result.ts'
import { describeJobState } from '../upgrade/running-job.ts'
import type { CheckResult } from '../verify/check.ts'

/** What each step does, in the words of the runbook. */
export const STEP_TITLES: Record<string, string> = {
  preflight: 'Preflight: cluster, blue job, jar, state compatibility',
  stoppingBlue: 'Stopping blue with a savepoint',
  savepointingBlue: 'Taking a savepoint of blue (blue keeps running)',
  watchingBlue: 'Savepoint failed: watching blue until it settles',
  fallingBackToCheckpoint: "Falling back to blue's latest checkpoint",
  choosingCheckpoint: "Last-state: choosing blue's latest retained checkpoint",
  cancellingBlue: 'Last-state: cancelling blue, keeping that checkpoint',
  startingGreen: 'Starting green',
  verifyingGreen: 'Verifying green',
  awaitingPromotion: 'Waiting for promotion',
  revalidating: 'Re-checking both jobs before promotion',
  recordingRelease: 'Recording the release',
  rollingBack: 'Rolling back: cancelling green, running blue again from the savepoint',
  cancellingFirstDeployment: 'Cancelling green (a first deployment: no blue to run again)',
  cancellingGreen: 'Cancelling green',
  openingHandover: "Hand-over: naming blue's colour as the one handing over, without T",
  confirmingBlueReads: "Hand-over: waiting until every blue gate subtask read this run's object",
  confirmingGreenReads: "Hand-over: waiting until every green gate subtask read this run's object",
  choosingCutover: "Hand-over: choosing the cutover T from both gates' metrics",
  publishingCutover: 'Hand-over: publishing T',
  awaitingCutoverTaken: 'Hand-over: waiting until every blue gate subtask decides with T',
  lettingGreenPass: 'Hand-over: letting green write from T on',
  awaitingBluePastCutover: "Hand-over: waiting until blue's watermark reached T",
}

export function stepTitle(step: string): string {
  return STEP_TITLES[step] ?? step
}

/** One line per event, or undefined for events that only matter to machines (step-left). */
export function formatEvent(event: UpgradeEmitted): string | undefined {
  switch (event.type) {
    case 'step-entered':
      return `▶ ${stepTitle(event.step)}`
    case 'step-left':
      return undefined
    case 'estimate':
      return `  ${describeEstimate(event.estimate)}`
    case 'savepoint-taken':
      return `  ${event.kind === 'checkpoint' ? 'checkpoint used' : 'savepoint'}: ${event.location}${event.kind === 'savepoint' && event.format ? ` (${event.format})` : ''}${event.reconciled ? ' (recovered from the job statistics)' : ''}`
    case 'blue-settled':
      return `  blue: ${formatBlueAfterSavepoint(event.blue)}`
    case 'job-submitted':
      return `  ${event.role === 'green' ? 'green' : 'blue (rollback)'} job submitted: ${event.jobId}`
    case 'check-result':
      return `  ${formatCheck(event.result)}`
    case 'rollback-started':
      return event.firstDeployment ? `✗ nothing deployed: ${event.reason}` : `⟲ rollback: ${event.reason}`
    case 'warning':
      return `  warning: ${event.message}`
    case 'handover':
      return `  hand-over: ${event.phase}${event.cutoverMillis === undefined ? '' : `, T = ${event.cutoverMillis} (${new Date(event.cutoverMillis).toISOString()})`}`
    case 'savepoint-progress':
    case 'restore-progress':
      return `  ${formatProgress(event)}`
  }
}

export { formatBytes, formatMs }

/** One progress report in words; the CLI also shows it on its live line. */
export function formatProgress(progress: Progress): string {
  if (progress.type === 'savepoint-progress') {
    return `savepoint ${progress.checkpointId}: ${progress.acknowledged}/${progress.subtasks} subtasks acknowledged, ${formatBytes(progress.bytes)} written`
  }
  return `${progress.role} restoring: ${progress.running}/${progress.subtasks} subtasks running, ${progress.initializing} initializing`
}

export function formatBlueAfterSavepoint(blue: BlueAfterSavepoint): string {
  const failures = `${blue.failures} failure${blue.failures === 1 ? '' : 's'} since the savepoint`
  const latest = blue.exceptions[0] ? `, latest: ${blue.exceptions[0]}` : ''
  switch (blue.condition) {
    case 'healthy':
      return `${blue.state}, untouched (no failure since the savepoint)`
    case 'restarted':
      return `${blue.state} again after ${failures}${latest}`
    case 'restarting':
      return `${blue.state}, still failing after ${formatMs(blue.watchedMs)}: ${failures}${latest}`
    case 'ended':
      return `${blue.state} after ${failures}${latest}`
  }
}

export function formatCheck(result: CheckResult): string {
  return `${result.passed ? '✓' : '✗'} ${result.name}: ${result.message} (${formatMs(result.durationMs)})`
}

/** The final summary as label/value rows, in the order a person reads them. */
export function resultRows(result: UpgradeResult): [string, string][] {
  const rows: [string, string][] = [['outcome', result.outcome]]
  if (result.blueJobId) rows.push(['blue job', result.blueJobId])
  if (result.greenJobId) rows.push(['green job', result.greenJobId])
  if (result.clusters) rows.push(['moved', `from ${result.clusters.blue} to ${result.clusters.green}`])
  const on = (cluster: string) => (result.clusters ? ` on ${cluster}` : '')
  rows.push([
    'running now',
    result.running.map((r) => `${r.role} ${r.jobId} (${describeJobState(r)})${on(r.cluster)}`).join(', ') ||
      'none of this run',
  ])
  if (result.savepointPath) rows.push(['savepoint', result.savepointPath])
  if (result.savepointFormat) rows.push(['savepoint format', result.savepointFormat])
  if (result.blueAfterSavepoint && result.blueAfterSavepoint.condition !== 'healthy')
    rows.push(['blue after the savepoint', formatBlueAfterSavepoint(result.blueAfterSavepoint)])
  if (result.downtimeMs !== undefined)
    rows.push([
      'downtime',
      `${formatMs(result.downtimeMs)}${result.estimate ? ` (estimated ${formatMs(result.estimate.downtimeMs)})` : ''}`,
    ])
  if (result.duplicateWindowMs !== undefined)
    rows.push(['both jobs ran for', formatMs(result.duplicateWindowMs)])
  if (result.handover)
    rows.push([
      'hand-over',
      `${result.handover.phase}${result.handover.cutoverMillis === undefined ? '' : `, T = ${result.handover.cutoverMillis} (${new Date(result.handover.cutoverMillis).toISOString()})`}; object ${result.handover.path}`,
    ])
  rows.push(['total', formatMs(result.totalMs)])
  if (result.prunedSavepoints) rows.push(['savepoints pruned', result.prunedSavepoints.join(', ') || 'none'])
  if (result.error) rows.push(['error', `${result.error.step}: ${result.error.message}`])
  if (result.recovery) rows.push(['to recover', result.recovery])
  for (const warning of result.warnings) rows.push(['warning', warning])
  return rows
}

export function formatResult(result: UpgradeResult): string {
  const rows = resultRows(result)
  const width = Math.max(...rows.map(([label]) => label.length))
  return [result.summary, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n')
}
