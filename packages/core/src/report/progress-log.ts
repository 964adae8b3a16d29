/**
 * How often a log that is read afterwards, not watched (a CI log, the Action's, a pipe), shows progress: one
 * line per kind every PROGRESS_LOG_MS, and always the one that completes it. A terminal redraws one line
 * instead and needs no such rule. A new step starts the count again.
 */
import type { Progress } from '../steps/progress.ts'

export const PROGRESS_LOG_MS = 10_000

export class ProgressLogRate {
  readonly #loggedAt = new Map<string, number>()
  readonly #everyMs: number

  constructor(everyMs = PROGRESS_LOG_MS) {
    this.#everyMs = everyMs
  }

  /** Whether this progress report gets a line; remembers that it did. */
  shows(progress: Progress): boolean {
    const complete =
      progress.type === 'savepoint-progress'
        ? progress.acknowledged === progress.subtasks
        : progress.running === progress.subtasks
    const last = this.#loggedAt.get(progress.type)
    if (!complete && last !== undefined && progress.at - last < this.#everyMs) return false
    this.#loggedAt.set(progress.type, progress.at)
    return true
  }

  /** A step began: its first report shows at once. */
  reset(): void {
    this.#loggedAt.clear()
  }
}
