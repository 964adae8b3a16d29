/**
 * The answer to "what happened, and what runs now": built from the run's final context, plus a last look
 * at the cluster when the run ended somewhere that needs a person.
 */

import { setTimeout as sleep } from 'node:timers/promises'
import type { FlinkClient } from '../client/flink-client.ts'
import type { JobOverview } from '../client/schemas/jobs.ts'
import type { Clusters, ClusterUrls } from '../cross-cluster/clusters.ts'
import { blueEndedAt, stopAndRestartDowntime } from '../machines/measured-downtime.ts'
import type { HandoverRecord, Outcome, UpgradeContext, UpgradeError } from '../machines/upgrade-context.ts'
import { refusedCanonical } from '../machines/upgrade-setup.ts'
import { type DowntimeEstimate, describeEstimate } from '../preflight/downtime-estimate.ts'
import { redactConfiguration } from '../redact.ts'
import { isTerminal } from '../steps/cancel-job.ts'
import type { BlueAfterSavepoint } from '../steps/watch-blue.ts'
import type { CheckResult } from '../verify/check.ts'
import type { ResolvedUpgradeOptions, SavepointFormat } from './options.ts'
import { describeJobState, type RunningJob, runningFacts } from './running-job.ts'

export interface UpgradeResult {
  outcome: Outcome
  runId: string
  strategy: UpgradeContext['strategy']
  blueJobId?: string
  greenJobId?: string
  /** Green's jar on the cluster (`/jars/:jarid`). */
  greenJarId?: string
  /** A move to another cluster: blue's cluster and green's. */
  clusters?: ClusterUrls
  /**
   * Jobs of this run that have not ended (RUNNING, or still starting or restarting), by role, with their
   * cluster and subtask counts: a job RUNNING whose subtasks wait for slots processes nothing.
   */
  running: RunningJob[]
  /** The savepoint (or checkpoint) taken of blue: the point to recover from whatever happened. */
  savepointPath?: string
  /** The format of the savepoints this run takes (a checkpoint used by the fallback has its own). */
  savepointFormat: SavepointFormat
  /** After a failed savepoint: blue once it had settled (restarted, failed, or healthy and untouched). */
  blueAfterSavepoint?: BlueAfterSavepoint
  /** The flink-deploy command that gets the job running again, when the run could not. */
  recovery?: string
  /** The steps that would run (dry run) or ran. */
  plan: string[]
  /** Dry run: the options the run would use, defaults filled in (sensitive Flink configuration redacted). */
  options?: ResolvedUpgradeOptions
  /** Blue's state size and the downtime its checkpoint history suggests, when it has one. */
  estimate?: DowntimeEstimate
  steps: { step: string; durationMs: number }[]
  totalMs: number
  /** Blue FINISHED to every subtask of green RUNNING, from Flink's own timestamps. */
  downtimeMs?: number
  /** Blue-green: time both jobs ran at once (green's start to blue's stop); none with the hand-over. */
  duplicateWindowMs?: number
  /** handover gate: where the hand-over stands, and its cutover T (event-time ms) once chosen. */
  handover?: HandoverRecord
  /** Epoch ms of the moments the figures above come from. */
  timeline: { startedAt: number; blueFinishedAt?: number; greenRunningAt?: number; endedAt: number }
  checks: CheckResult[]
  rollbackChecks: CheckResult[]
  error?: UpgradeError
  warnings: string[]
  /** keepSavepoints: the savepoints disposed of after the upgrade succeeded. */
  prunedSavepoints?: string[]
  /** One sentence a person can act on. */
  summary: string
}

/** `startedAt`: when the command began, if the caller knows (else the run's start), for `totalMs`. */
export async function buildResult(
  context: UpgradeContext,
  clusters: Clusters,
  startedAt = context.startedAt,
): Promise<UpgradeResult> {
  const blueJobId = context.facts?.blue?.jobId
  const client = clusters.blue
  const running = await settledRunningJobs(context, clusters)
  const savepointPath = context.savepoint?.location
  const stalled = savepointPath ? stalledBlue(running) : undefined
  const outcome: Outcome =
    (blueCarriesOn(context.outcome) && stalled ? undefined : context.outcome) ?? 'failed-needs-attention'
  const blueFinishedAt = await blueEndedAt(context, client)
  const downtimeMs = stopAndRestartDowntime(context, blueFinishedAt)
  const duplicateWindowMs =
    context.strategy === 'blue-green' && !context.handover && blueFinishedAt && context.greenRunningAt
      ? Math.max(0, blueFinishedAt - context.greenRunningAt)
      : undefined
  const last = context.steps.at(-1)
  const end = last?.leftAt ?? Date.now()
  const result: UpgradeResult = {
    outcome,
    runId: context.runId,
    strategy: context.strategy,
    ...(context.clusters ? { clusters: context.clusters } : {}),
    blueJobId,
    greenJobId: context.facts ? context.green.jobId : undefined,
    greenJarId: context.facts?.greenJarId,
    running,
    savepointPath,
    savepointFormat: context.options.savepointFormat,
    blueAfterSavepoint: context.blueAfterSavepoint,
    recovery: outcome === 'failed-needs-attention' ? await recoveryCommand(context, client) : undefined,
    plan: context.facts?.steps ?? [],
    ...(outcome === 'dry-run' ? { options: shownOptions(context.options) } : {}),
    estimate: context.facts?.estimate,
    steps: context.steps.map((s) => ({ step: s.step, durationMs: (s.leftAt ?? end) - s.enteredAt })),
    // After the last look at the cluster above: the whole wait, up to the answer.
    totalMs: Math.round(Date.now() - startedAt),
    downtimeMs,
    duplicateWindowMs,
    ...(context.handover ? { handover: context.handover } : {}),
    timeline: {
      startedAt: context.startedAt,
      blueFinishedAt,
      greenRunningAt: context.greenRunningAt,
      endedAt: end,
    },
    checks: context.checks,
    rollbackChecks: context.rollbackChecks,
    error: context.error,
    warnings: stalled ? [...context.warnings, stalledWarning(stalled, savepointPath)] : context.warnings,
    summary: '',
  }
  result.summary = summarise(result)
  return result
}

function shownOptions(options: ResolvedUpgradeOptions): ResolvedUpgradeOptions {
  const { flinkConfiguration, rollback } = options
  return {
    ...options,
    ...(flinkConfiguration ? { flinkConfiguration: redactConfiguration(flinkConfiguration) } : {}),
    ...(rollback?.flinkConfiguration
      ? { rollback: { ...rollback, flinkConfiguration: redactConfiguration(rollback.flinkConfiguration) } }
      : {}),
  }
}

type Candidate = Pick<RunningJob, 'role' | 'jobId'>

/** Polls once the blue that should carry on has subtasks waiting: a restart takes seconds to redeploy. */
const SETTLE_POLL_MS = 250

/**
 * The jobs of this run still alive, with their subtask counts. When blue (or the blue started again) should
 * carry on and not all its subtasks run, it is watched for up to `timeouts.blueSettleMs` before it is
 * reported so: a restart redeploys within seconds, a lost TaskManager leaves them waiting for slots.
 */
async function settledRunningJobs(context: UpgradeContext, clusters: Clusters): Promise<RunningJob[]> {
  const until = Date.now() + context.options.timeouts.blueSettleMs
  for (;;) {
    const running = await runningJobs(context, clusters)
    if (!context.savepoint || stalledBlue(running) === undefined || Date.now() >= until) return running
    await sleep(SETTLE_POLL_MS)
  }
}

/** Outcomes that promise blue (or blue started again) runs on. */
function blueCarriesOn(outcome: Outcome | undefined): boolean {
  return outcome === 'aborted-blue-untouched' || outcome === 'rolled-back'
}

function stalledWarning(job: RunningJob, savepointPath: string | undefined): string {
  return `${job.role} job ${job.jobId} is ${describeJobState(job)}: it processes nothing (a TaskManager lost, or no free slot)${savepointPath ? `; recover from savepoint ${savepointPath}` : ''}`
}

/** Blue, or the blue started again, listed as alive while not all its subtasks run. */
export function stalledBlue(running: readonly RunningJob[]): RunningJob | undefined {
  return running.find((j) => j.role !== 'green' && !j.subtasksRunning)
}

async function runningJobs(context: UpgradeContext, clusters: Clusters): Promise<RunningJob[]> {
  const candidates: Candidate[] = []
  if (context.facts?.blue) candidates.push({ role: 'blue', jobId: context.facts.blue.jobId })
  else if (!context.facts) candidates.push(...(await blueByName(context, clusters.blue)))
  if (context.facts) candidates.push({ role: 'green', jobId: context.green.jobId })
  if (context.facts?.blue) candidates.push({ role: 'blue-restarted', jobId: context.rollbackJobId })
  const clusterOf = (c: Candidate) => (c.role === 'green' ? clusters.green : clusters.blue)
  const overviews = new Map<FlinkClient, Promise<JobOverview[]>>()
  const overviewOf = (client: FlinkClient) => {
    if (!overviews.has(client))
      overviews.set(
        client,
        client.jobs
          .overview()
          .then((o) => o.jobs)
          .catch(() => []),
      )
    return overviews.get(client)!
  }
  const entries = await Promise.all(
    candidates.map(async (c) => (await overviewOf(clusterOf(c))).find((j) => j.jid === c.jobId)),
  )
  return candidates.flatMap((c, i) => {
    const entry = entries[i]
    if (!entry || isTerminal(entry.state)) return []
    return [{ ...c, ...runningFacts(entry), cluster: clusterOf(c).url }]
  })
}

/** Preflight failed before it named blue: the job the run was asked to upgrade is blue. */
async function blueByName(context: UpgradeContext, client: FlinkClient): Promise<Candidate[]> {
  const { jobId, jobName } = context.options
  if (jobId) return [{ role: 'blue', jobId }]
  const overview = await client.jobs.overview().catch(() => undefined)
  return (overview?.jobs ?? [])
    .filter((j) => j.name === jobName && !isTerminal(j.state))
    .map((j) => ({ role: 'blue' as const, jobId: j.jid }))
}

/**
 * After a failed savepoint that hurt blue, the next step in the CLI's words. A savepoint is never retried on
 * its own: one that fails a task costs blue a restart each time.
 */
async function recoveryCommand(context: UpgradeContext, client: FlinkClient): Promise<string | undefined> {
  const blue = context.blueAfterSavepoint
  const ref = context.facts?.blue
  if (!blue || !ref || blue.condition === 'healthy') return undefined
  const { options } = context
  const args = options.args.map((a) => ` --arg ${shellWord(a)}`).join('')
  const target = context.clusters ? ` --to-flink-url ${shellWord(context.clusters.green)}` : ''
  const release = `--jar ${shellWord(options.jar)}${args} --strategy ${options.strategy}${target}`
  if (blue.condition === 'ended') {
    const stats = await client.checkpoints.statistics({ jobid: ref.jobId }).catch(() => undefined)
    const checkpoint = stats?.latest.completed?.external_path
    if (!checkpoint) return undefined
    return `flink-deploy upgrade --job-name ${shellWord(ref.name)} ${release} --initial-savepoint ${shellWord(checkpoint)}`
  }
  const upgrade = `flink-deploy upgrade --job-id ${ref.jobId} ${release}`
  if (refusedCanonical(blue) && options.savepointFormat === 'canonical')
    return `${upgrade} --savepoint-format native`
  return `${upgrade} --checkpoint-fallback-max-age 10m`
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`
}

/** Messages end without a period here, so sentences can be joined with one. */
const clause = (text: string | undefined, fallback: string) => (text ?? fallback).replace(/[.\s]+$/, '')

function summarise(r: UpgradeResult): string {
  const now =
    r.running.length > 0
      ? r.running
          .map(
            (j) =>
              `${j.role} job ${j.jobId}${r.clusters ? ` on ${j.cluster}` : ''}${j.subtasksRunning ? '' : ` (${describeJobState(j)})`}`,
          )
          .join(' and ')
      : 'no job of this run'
  const recover = r.savepointPath ? `; recover from savepoint ${r.savepointPath}` : ''
  switch (r.outcome) {
    case 'upgraded':
      return `Upgraded: green job ${r.greenJobId} runs${r.clusters ? ` on ${r.clusters.green}` : ''}${r.savepointPath ? ` from savepoint ${r.savepointPath}` : ''}.`
    case 'rolled-back':
      return `Rolled back: ${clause(r.error?.message, 'green failed')}. Now running: ${now}${recover}.`
    case 'aborted-blue-untouched':
      if (r.steps.some((s) => s.step === 'cancellingFirstDeployment'))
        return `Nothing was deployed: ${clause(r.error?.message, 'green failed')}. Now running: ${now}.`
      return `Aborted, blue untouched: ${clause(r.error?.message, 'nothing was changed')}. Now running: ${now}.`
    case 'awaiting-promotion':
      return `Green job ${r.greenJobId} is verified beside blue ${r.blueJobId}; promote or reject it.`
    case 'dry-run':
      return `Dry run: nothing was changed. It would ${r.plan.join(', then ')}.${r.estimate ? ` ${describeEstimate(r.estimate)}.` : ''}`
    default:
      return `Needs attention: ${clause(r.error?.message, 'the run did not finish')}. Now running: ${now}${recover}.${r.recovery ? ` To recover: ${r.recovery}` : ''}`
  }
}
