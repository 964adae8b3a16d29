/** State stores for tests of a process killed mid-run (not exported from the package). */
import type { PersistedRun, StateStore } from '../store/state-store.ts'

/** A store that accepts `limit` writes and then never completes another one: the process is gone. */
export function crashingStore(target: StateStore, limit: number): StateStore & { crashed: Promise<void> } {
  let writes = 0
  let crash!: () => void
  const crashed = new Promise<void>((resolve) => {
    crash = resolve
  })
  return {
    location: target.location,
    read: () => target.read(),
    clear: () => target.clear(),
    crashed,
    async write(run: PersistedRun) {
      if (writes >= limit) {
        crash()
        return new Promise<void>(() => {})
      }
      writes++
      await target.write(run)
    },
  }
}

/**
 * A memory-backed store that keeps the machine state of every write, in order (JSON of the snapshot's value):
 * an uninterrupted run's persisted steps, where a crash is worth simulating.
 */
export function recordingStore(target: StateStore): StateStore & { states: string[] } {
  const states: string[] = []
  return {
    location: target.location,
    read: () => target.read(),
    clear: () => target.clear(),
    states,
    async write(run: PersistedRun) {
      states.push(JSON.stringify((run.snapshot as { value: unknown }).value))
      await target.write(run)
    },
  }
}
