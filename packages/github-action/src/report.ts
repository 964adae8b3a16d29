/**
 * What the Action shows: one log group per step with its events inside, a job summary (outcome, job ids,
 * savepoint, downtime, timeline, check evidence, the path taken as a Mermaid flowchart), and the words of
 * the annotation that says what runs now and how to recover. Wording comes from core's report/format.ts,
 * so the CLI and the Action say the same things.
 */
import {
  type CheckResult,
  formatCheck,
  formatEvent,
  formatMs,
  formatProgress,
  type Outcome,
  ProgressLogRate,
  resultRows,
  stepTitle,
  type UpgradeEvent,
  type UpgradeResult,
} from '@flink-deploy/core'

/** The parts of @actions/core the log needs (an interface, so tests can record calls). */
export interface Logger {
  info(message: string): void
  warning(message: string, properties?: { title?: string }): void
  startGroup(name: string): void
  endGroup(): void
}

/**
 * Turns core's events into log groups: `step-entered` opens one. Core reports what a step produced (the
 * savepoint, the submitted job, the check results) just after its `step-left`, so the group stays open
 * until the next step starts or the run ends, and closes with the step's duration.
 */
export class StepLog {
  #open = false
  readonly #progress = new ProgressLogRate()
  #leftAfterMs: number | undefined
  readonly #log: Logger

  constructor(log: Logger) {
    this.#log = log
  }

  readonly onEvent = (event: UpgradeEvent): void => {
    switch (event.type) {
      case 'step-entered':
        this.close()
        this.#progress.reset()
        this.#log.startGroup(stepTitle(event.step))
        this.#open = true
        return
      case 'step-left':
        this.#leftAfterMs = event.durationMs
        return
      case 'warning':
        this.#log.warning(event.message, { title: 'flink-deploy' })
        return
      case 'check-result': {
        this.#log.info(formatEvent(event) ?? formatCheck(event.result))
        if (!event.result.passed)
          this.#log.warning(formatCheck(event.result), {
            title: `Check failed on ${event.role}: ${event.result.name}`,
          })
        return
      }
      case 'savepoint-progress':
      case 'restore-progress': {
        if (this.#progress.shows(event)) this.#log.info(formatProgress(event))
        return
      }
      default: {
        const line = formatEvent(event)
        if (line) this.#log.info(line)
      }
    }
  }

  /** Ends the open group, if any (the run ended, or the next step starts). */
  close(): void {
    if (this.#leftAfterMs !== undefined) this.#log.info(`step done in ${formatMs(this.#leftAfterMs)}`)
    if (this.#open) this.#log.endGroup()
    this.#open = false
    this.#leftAfterMs = undefined
  }
}

export const FAILED_OUTCOMES: ReadonlySet<Outcome> = new Set([
  'rolled-back',
  'aborted-blue-untouched',
  'failed-needs-attention',
])

const HEADLINE: Record<Outcome, string> = {
  upgraded: '✅ Upgraded',
  'awaiting-promotion': '⏸️ Awaiting promotion',
  'dry-run': '📝 Dry run',
  'rolled-back': '↩️ Rolled back',
  'aborted-blue-untouched': '⛔ Aborted, blue untouched',
  'failed-needs-attention': '🚨 Needs attention',
}

/** The job that runs the release once the run ended: what `job-id` reports. */
export function currentJobId(result: UpgradeResult): string | undefined {
  const running = (role: string) => result.running.find((r) => r.role === role)?.jobId
  switch (result.outcome) {
    case 'upgraded':
    case 'awaiting-promotion':
      return result.greenJobId
    case 'rolled-back':
      return running('blue-restarted')
    case 'aborted-blue-untouched':
    case 'dry-run':
      return result.blueJobId ?? running('blue')
    default:
      return running('green') ?? running('blue-restarted') ?? running('blue')
  }
}

export interface RunFacts {
  action: string
  target: string
  /** Where the run is kept: a state file, or a shared store (then `target` is the job in it). */
  stateFile?: string
  stateStore?: string
}

/** The inputs that point this action at the same run again. */
export function runInputs(facts: RunFacts): string {
  return facts.stateStore
    ? `state-store: ${facts.stateStore} and job-name: ${facts.target}`
    : `state-file: ${facts.stateFile}`
}

const RESUMABLE = new Set([
  'CANCELLED',
  'STATE_STORE_UNAVAILABLE',
  'STATE_STORE_CONFLICT',
  'UPGRADE_LOCK_LOST',
])

/** One paragraph for the error annotation of a failed run: what happened, what runs now, how to recover. */
export function recoveryMessage(result: UpgradeResult, facts: RunFacts): string {
  const sp = result.savepointPath
  switch (result.outcome) {
    case 'rolled-back':
      return `${result.summary} The release did not go out: the previous release runs again${sp ? ` from savepoint ${sp}` : ''}. Fix the release and deploy again.`
    case 'aborted-blue-untouched':
      return `${result.summary} The release did not go out; nothing was changed on the running job. Fix the cause and deploy again.`
    default: {
      const resume =
        result.error && RESUMABLE.has(result.error.code)
          ? ` Run this action again with action: resume and ${runInputs(facts)} to continue the run.`
          : ''
      const manual = sp
        ? ` Blue's state is in savepoint ${sp}: to recover by hand, start the previous release from it (flink run -s ${sp} ...).`
        : ''
      return `${result.summary}${resume}${manual}`
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Job summary

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;')
const code = (s: string) => (/^[0-9a-f]{32}$/.test(s) || s.includes(':/') ? `\`${s}\`` : esc(s))

/** The path the run took as a Mermaid flowchart: its steps in order, with durations, and the outcome. */
export function pathFlowchart(result: UpgradeResult): string {
  const label = (s: string) => s.replace(/"/g, '#quot;').replace(/[<>]/g, '')
  const out = ['flowchart LR']
  const ids: string[] = []
  for (const [i, s] of result.steps.entries()) {
    const id = `s${i}`
    ids.push(id)
    out.push(`  ${id}["${label(stepTitle(s.step))}<br/>${formatMs(s.durationMs)}"]`)
  }
  out.push(`  outcome(["${label(HEADLINE[result.outcome])}"])`)
  ids.push('outcome')
  if (ids.length > 1) out.push(`  ${ids.join(' --> ')}`)
  const failedSteps = result.steps
    .map((s, i) => ({ s, i }))
    .filter(
      ({ s }) => s.step === 'rollingBack' || s.step === 'cancellingGreen' || s.step === result.error?.step,
    )
    .map(({ i }) => `s${i}`)
  const style = FAILED_OUTCOMES.has(result.outcome) ? 'fail' : result.outcome === 'upgraded' ? 'ok' : 'wait'
  out.push(
    '  classDef ok fill:#dafbe1,stroke:#1a7f37',
    '  classDef fail fill:#ffebe9,stroke:#cf222e',
    '  classDef wait fill:#fff8c5,stroke:#9a6700',
    `  class outcome ${style}`,
  )
  if (failedSteps.length > 0) out.push(`  class ${failedSteps.join(',')} fail`)
  return out.join('\n')
}

function checksBlock(title: string, checks: CheckResult[]): string[] {
  if (checks.length === 0) return []
  const out = [`### ${title}`, '']
  for (const check of checks) {
    out.push(
      `<details><summary>${esc(formatCheck(check))}</summary>`,
      '',
      '```json',
      JSON.stringify(check.evidence, null, 2),
      '```',
      '',
      '</details>',
      '',
    )
  }
  return out
}

/** The job summary in GitHub-flavoured Markdown (with the HTML GitHub allows). */
export function renderSummary(result: UpgradeResult, facts: RunFacts): string {
  const out: string[] = [`## ${HEADLINE[result.outcome]}: ${esc(facts.target)}`, '', esc(result.summary), '']
  out.push('| | |', '| --- | --- |')
  for (const [label, value] of resultRows(result)) {
    const shown = label === 'outcome' ? `**${value}**` : code(value)
    out.push(`| ${esc(label)} | ${shown} |`)
  }
  out.push(`| strategy | ${result.strategy} |`, `| action | ${esc(facts.action)} |`)
  out.push(
    facts.stateStore
      ? `| state store | \`${facts.stateStore}\` |`
      : `| state file | \`${facts.stateFile}\` |`,
    '',
  )

  if (FAILED_OUTCOMES.has(result.outcome)) {
    out.push('### What runs now and how to recover', '', `> ${esc(recoveryMessage(result, facts))}`, '')
  }
  if (result.outcome === 'awaiting-promotion') {
    out.push(
      '### Next',
      '',
      `Green was verified beside blue. Run this action with \`action: promote\` (or \`action: reject\`) and the same \`state-file\` to finish the run.`,
      '',
    )
  }
  if (result.outcome === 'dry-run' && result.plan.length > 0) {
    out.push('### Plan', '', ...result.plan.map((p, i) => `${i + 1}. ${esc(p)}`), '')
  }

  out.push('### Path taken', '', '```mermaid', pathFlowchart(result), '```', '')

  if (result.steps.length > 0) {
    out.push('### Timeline', '', '| # | step | what it does | duration |', '| ---: | --- | --- | ---: |')
    for (const [i, s] of result.steps.entries())
      out.push(`| ${i + 1} | \`${s.step}\` | ${esc(stepTitle(s.step))} | ${formatMs(s.durationMs)} |`)
    out.push(`| | | **total** | **${formatMs(result.totalMs)}** |`, '')
  }

  out.push(...checksBlock('Checks on green', result.checks))
  out.push(...checksBlock('Checks on blue after the rollback', result.rollbackChecks))
  if (result.warnings.length > 0)
    out.push('### Warnings', '', ...result.warnings.map((w) => `- ${esc(w)}`), '')
  return `${out.join('\n')}\n`
}
