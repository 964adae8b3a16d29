/** The webhooks of a run as the runtime of core's resume, promote, reject and apply takes them. */
import type { NotifyOptions } from '@flink-deploy/core'
import { type CommandContext, value } from './context.ts'

/** Given again to every command that ends a run: a run's persisted state never holds them. */
export function notifyOf(ctx: CommandContext): { notify?: NotifyOptions } {
  const urls = value<string[]>(ctx, 'notify')
  if (!urls?.length) return {}
  const secret = value<string>(ctx, 'notifySecret')
  const steps = value<boolean>(ctx, 'notifySteps')
  return { notify: { urls, ...(secret ? { secret } : {}), ...(steps !== undefined ? { steps } : {}) } }
}
