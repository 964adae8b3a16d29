/** A state store for tests of a process killed mid-run (not exported from the package). */
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
