/** Timers of the fake that can all be cancelled at once, so a stopped fake leaves nothing scheduled. */
export class FakeTimers {
  readonly #pending = new Set<NodeJS.Timeout>()

  /** Runs `fn` after `ms`, without keeping the process alive for it. */
  after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#pending.delete(timer)
      fn()
    }, ms)
    timer.unref()
    this.#pending.add(timer)
  }

  clear(): void {
    for (const timer of this.#pending) clearTimeout(timer)
    this.#pending.clear()
  }
}
