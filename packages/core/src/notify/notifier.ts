/**
 * The notifications of one run: an observer of its events and of its result. It posts, in order, to every
 * webhook; it never throws and never holds the run up beyond a bounded delivery, and a webhook that cannot be
 * reached costs a warning, nothing more. Loaded only when webhooks are configured.
 */

import type { UpgradeEmitted } from '../machines/upgrade-setup.ts'
import { registerSecret } from '../redact.ts'
import type { UpgradeResult } from '../upgrade/result.ts'
import { DEFAULT_DELIVERY, type DeliveryPolicy, deliver, type Fetch } from './deliver.ts'
import {
  isSlackWebhook,
  type NotifyMessage,
  type RunRef,
  runEndedMessage,
  shownWebhook,
  slackBody,
  stepMessage,
} from './message.ts'
import { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './signature.ts'

export interface NotifierSettings {
  urls: readonly string[]
  secret?: string
  steps: boolean
}

export interface NotifierDeps {
  /** Told of each webhook that could not be reached, in words safe to show (no secret, no URL path). */
  warn: (message: string) => void
  policy?: DeliveryPolicy
  /** Tests route a Slack URL to a local server through this. */
  fetch?: Fetch
}

export interface Notifier {
  /** The run's events, as they come: posts a step message when asked to. */
  onEvent(event: UpgradeEmitted): void
  /** Posts the run's end, waits for every delivery, and returns the warnings of those that failed. */
  ended(result: UpgradeResult): Promise<string[]>
}

export function createNotifier(settings: NotifierSettings, run: RunRef, deps: NotifierDeps): Notifier {
  registerSecret(settings.secret)
  // A webhook's URL is its credential (Slack's path, a token in a query): never printed whole.
  for (const url of settings.urls) registerSecret(url)
  const queues = new Map<string, Promise<void>>()
  const warnings: string[] = []
  const policy = deps.policy ?? DEFAULT_DELIVERY
  // A webhook that already failed costs no more waiting: no more step messages, one try for the end.
  const failed = new Set<string>()

  const post = async (url: string, message: NotifyMessage) => {
    if (failed.has(url) && message.event === 'step-entered') return
    const slack = isSlackWebhook(url)
    const body = JSON.stringify(slack ? slackBody(message) : message)
    const headers: Record<string, string> = slack ? {} : { [TIMESTAMP_HEADER]: message.timestamp }
    if (!slack && settings.secret) headers[SIGNATURE_HEADER] = signBody(settings.secret, body)
    const tries = failed.has(url) ? { ...policy, attempts: 1 } : policy
    const delivered = await deliver(url, body, headers, tries, deps.fetch)
    if (delivered.ok) return
    failed.add(url)
    const warning = `the ${message.event} notification to ${shownWebhook(url)} was not delivered after ${delivered.attempts} attempt${delivered.attempts === 1 ? '' : 's'} (${delivered.problem}); the run itself is not affected`
    warnings.push(warning)
    deps.warn(warning)
  }

  // Messages to one webhook go one after another, so a chat shows the steps in order.
  const send = (message: NotifyMessage) => {
    for (const url of settings.urls) {
      const previous = queues.get(url) ?? Promise.resolve()
      queues.set(
        url,
        previous.then(() => post(url, message)).catch(() => undefined),
      )
    }
  }

  return {
    onEvent(event) {
      if (settings.steps && event.type === 'step-entered') send(stepMessage(run, event.step))
    },
    async ended(result) {
      send(runEndedMessage(run, result))
      await Promise.all(queues.values())
      return warnings
    },
  }
}
