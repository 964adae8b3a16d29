/**
 * How a run is shown: `human` on a terminal (the events, one live line with the current step and its
 * elapsed time, the summary), `plain` when stdout is not a terminal (the same lines, no live line), `json`
 * (NDJSON: the events, then one result line, nothing else on stdout). The words come from core's
 * formatEvent/formatResult so the CLI and the Action say the same things.
 */
import {
  formatEvent,
  formatMs,
  formatProgress,
  formatResult,
  ProgressLogRate,
  stepTitle,
  type UpgradeEvent,
  type UpgradeResult,
} from '@flink-deploy/core'
import type { OutputStream } from './io.ts'

export type Mode = 'human' | 'plain' | 'json'

export interface Renderer {
  readonly mode: Mode
  /** Lines that introduce the run (human and plain only). */
  intro(lines: string[]): void
  event(event: UpgradeEvent): void
  /** The final result; `notes` are follow-up lines (what to do next) for people. */
  result(result: UpgradeResult, extra: Record<string, unknown>, notes: string[]): void
  /** Ends the live line; safe to call twice. */
  close(): void
}

export function chooseMode(json: boolean, stdout: OutputStream): Mode {
  if (json) return 'json'
  return stdout.isTTY ? 'human' : 'plain'
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export function createRenderer(mode: Mode, out: OutputStream): Renderer {
  if (mode === 'json') {
    return {
      mode,
      intro: () => {},
      event: (event) => out.write(`${JSON.stringify(event)}\n`),
      result: (result, extra) => out.write(`${JSON.stringify({ type: 'result', ...result, ...extra })}\n`),
      close: () => {},
    }
  }
  const live = mode === 'human' ? new LiveLine(out) : undefined
  const print = (line: string) => (live ? live.print(line) : out.write(`${line}\n`))
  const progressLines = new ProgressLogRate()
  const startedAt = Date.now()
  return {
    mode,
    intro: (lines) => {
      for (const line of lines) print(line)
    },
    event(event) {
      if (event.type === 'savepoint-progress' || event.type === 'restore-progress') {
        if (live) live.detail(formatProgress(event))
        else if (progressLines.shows(event)) print(`  ${formatProgress(event)}`)
        return
      }
      if (event.type === 'step-entered') progressLines.reset()
      const line = formatEvent(event)
      if (line !== undefined) print(line)
      if (event.type === 'step-entered') live?.start(stepTitle(event.step), event.at, startedAt)
      if (event.type === 'step-left') live?.stop()
    },
    result(result, _extra, notes) {
      live?.stop()
      print('')
      print(formatResult(result))
      if (result.outcome === 'dry-run' && result.plan.length > 0) {
        print('')
        print('Plan:')
        for (const [i, step] of result.plan.entries()) print(`  ${i + 1}. ${step}`)
      }
      if (result.steps.length > 0 && result.outcome !== 'dry-run') {
        print('')
        print('Steps:')
        const width = Math.max(...result.steps.map((s) => stepTitle(s.step).length))
        for (const s of result.steps) print(`  ${stepTitle(s.step).padEnd(width)}  ${formatMs(s.durationMs)}`)
      }
      if (notes.length > 0) {
        print('')
        for (const note of notes) print(note)
      }
    },
    close: () => live?.stop(),
  }
}

/** One line at the bottom of the terminal, redrawn in place; permanent lines are printed above it. */
class LiveLine {
  readonly #out: OutputStream
  #timer: NodeJS.Timeout | undefined
  #text: (() => string) | undefined
  #frame = 0
  #shown = false
  #detail: string | undefined

  constructor(out: OutputStream) {
    this.#out = out
  }

  start(title: string, stepStartedAt: number, runStartedAt: number): void {
    this.stop()
    this.#text = () =>
      `${SPINNER[this.#frame++ % SPINNER.length]} ${title} · ${formatMs(Date.now() - stepStartedAt)} · total ${formatMs(Date.now() - runStartedAt)}${this.#detail ? ` · ${this.#detail}` : ''}`
    this.#draw()
    this.#timer = setInterval(() => this.#draw(), 100)
    this.#timer.unref()
  }

  /** The step's latest progress, shown on the line until the step ends. */
  detail(text: string): void {
    this.#detail = text
    this.#draw()
  }

  stop(): void {
    this.#detail = undefined
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    this.#clear()
    this.#text = undefined
  }

  print(line: string): void {
    this.#clear()
    this.#out.write(`${line}\n`)
    this.#draw()
  }

  #clear(): void {
    if (this.#shown) this.#out.write('\r\x1b[2K')
    this.#shown = false
  }

  #draw(): void {
    if (!this.#text) return
    const width = Math.max(20, (this.#out.columns || 100) - 1)
    const line = this.#text()
    this.#out.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`)
    this.#shown = true
  }
}
