/** `unlock` and `--force-unlock`: an operator removes a job's lock by hand, when its run is surely gone. */
import type { LockHolder } from '@flink-deploy/core'
import type { CommandContext } from '../context.ts'
import { EXIT } from '../exit-codes.ts'
import { type OpenedStorage, openStorage } from '../storage.ts'
import { emit } from './cluster.ts'

/** Removes the lock whoever holds it, with the warning that goes with it. */
export async function breakLockWithWarning(
  ctx: CommandContext,
  opened: OpenedStorage,
): Promise<LockHolder | undefined> {
  const holder = await opened.storage.breakLock()
  if (holder)
    ctx.stderr.write(
      `warning: removed the lock held by ${holder.owner} (pid ${holder.pid} on ${holder.hostname}) since ${holder.acquiredAt}; ` +
        'if that run is still active, two runs may now change this job at once\n',
    )
  return holder
}

export async function unlock(ctx: CommandContext): Promise<number> {
  const opened = await openStorage(ctx)
  try {
    const holder = await breakLockWithWarning(ctx, opened)
    emit(ctx, { type: 'unlock', location: opened.shown, removed: holder ?? null }, () =>
      holder
        ? [
            `Unlocked ${opened.shown}.`,
            `If the run of ${holder.owner} was interrupted, continue it with: flink-deploy resume ${opened.flags}`,
          ]
        : [`No lock was held for ${opened.shown}.`],
    )
    return EXIT.ok
  } finally {
    await opened.storage.close()
  }
}
