/**
 * What a webhook is told: one JSON body per message, in flink-deploy's own shape (documented in the core
 * README, signed by the sender) or, for a Slack incoming webhook, in Slack's `text` + `blocks` shape.
 */
import { stepTitle } from '../report/format.ts'
import { formatMs } from '../units.ts'
import type { UpgradeResult } from '../upgrade/result.ts'

/** Which run a message is about: known from the start of the run. */
export interface RunRef {
  runId: string
  /** The job's name, or the id it was selected by. */
  job: string
  strategy: string
}

export interface RunEndedMessage {
  source: 'flink-deploy'
  event: 'run-ended'
  /** ISO time the message was made; the X-Flink-Deploy-Timestamp header repeats it. */
  timestamp: string
  runId: string
  job: string
  strategy: string
  outcome: UpgradeResult['outcome']
  /** The jobs of this run that have not ended, each with its cluster. */
  running: { role: string; jobId: string; cluster: string; state: string }[]
  /** The savepoint to recover from, when one was taken. */
  savepointPath?: string
  summary: string
  error?: { step: string; code: string; message: string }
  downtimeMs?: number
  totalMs: number
  warnings: string[]
}

export interface StepMessage {
  source: 'flink-deploy'
  event: 'step-entered'
  timestamp: string
  runId: string
  job: string
  strategy: string
  step: string
  title: string
}

export type NotifyMessage = RunEndedMessage | StepMessage

export function runEndedMessage(run: RunRef, result: UpgradeResult, now = new Date()): RunEndedMessage {
  return {
    source: 'flink-deploy',
    event: 'run-ended',
    timestamp: now.toISOString(),
    ...run,
    outcome: result.outcome,
    running: result.running.map((j) => ({
      role: j.role,
      jobId: j.jobId,
      cluster: j.cluster,
      state: j.state,
    })),
    ...(result.savepointPath ? { savepointPath: result.savepointPath } : {}),
    summary: result.summary,
    // Flink's whole answer (Java stack traces) stays out: a chat message is not the place for it.
    ...(result.error
      ? { error: { step: result.error.step, code: result.error.code, message: result.error.message } }
      : {}),
    ...(result.downtimeMs !== undefined ? { downtimeMs: result.downtimeMs } : {}),
    totalMs: result.totalMs,
    warnings: result.warnings,
  }
}

export function stepMessage(run: RunRef, step: string, now = new Date()): StepMessage {
  return {
    source: 'flink-deploy',
    event: 'step-entered',
    timestamp: now.toISOString(),
    ...run,
    step,
    title: stepTitle(step),
  }
}

/** Slack's incoming webhooks (and Slack GovSlack's): they take Slack's shape, and no signature. */
export function isSlackWebhook(url: string): boolean {
  const host = new URL(url).hostname
  return host === 'hooks.slack.com' || host === 'hooks.slack-gov.com'
}

/** A webhook as it may be shown: scheme and host only, since its path or query is often its credential. */
export function shownWebhook(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}`
  } catch {
    return 'a webhook'
  }
}

const MARK: Record<RunEndedMessage['outcome'], string> = {
  upgraded: ':white_check_mark:',
  'rolled-back': ':leftwards_arrow_with_hook:',
  'aborted-blue-untouched': ':no_entry_sign:',
  'failed-needs-attention': ':rotating_light:',
  'awaiting-promotion': ':hourglass_flowing_sand:',
  'dry-run': ':memo:',
}

/** Slack's markup treats `&`, `<` and `>` as control characters. */
const slackText = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** Slack's shape: `text` for notifications and clients without blocks, `blocks` for the message itself. */
export function slackBody(message: NotifyMessage): { text: string; blocks: unknown[] } {
  if (message.event === 'step-entered') {
    const text = `flink-deploy ${message.job}: ${message.title}`
    return {
      text,
      blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: slackText(text) }] }],
    }
  }
  const text = `${MARK[message.outcome]} flink-deploy ${message.job}: ${message.outcome}. ${message.summary}`
  const running =
    message.running.map((j) => `${j.role} \`${j.jobId}\` on ${slackText(j.cluster)}`).join('\n') ||
    'no job of this run'
  const fields = [
    `*Outcome*\n${message.outcome}`,
    `*Strategy*\n${message.strategy}`,
    `*Running*\n${running}`,
    ...(message.savepointPath ? [`*Savepoint*\n\`${slackText(message.savepointPath)}\``] : []),
    ...(message.downtimeMs !== undefined ? [`*Downtime*\n${formatMs(message.downtimeMs)}`] : []),
  ]
  return {
    text: slackText(text),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: `flink-deploy ${message.job}: ${message.outcome}` },
      },
      { type: 'section', text: { type: 'mrkdwn', text: slackText(message.summary) } },
      { type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: f })) },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `run ${message.runId} · ${formatMs(message.totalMs)} · ${message.timestamp}`,
          },
        ],
      },
    ],
  }
}
