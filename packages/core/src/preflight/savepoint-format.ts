/**
 * Will blue take a savepoint in the format asked for? Flink 2.x cannot write a canonical savepoint of an
 * operator on the async state API (State V2, `keyBy(...).enableAsyncState()`): StreamOperatorStateHandler
 * throws UnsupportedOperationException "Not supported yet.", which fails the task and restarts the job. The
 * REST API does not show which operators use async state. What it does show:
 * - the job's exception history, which holds that refusal if a canonical savepoint was tried before: trying
 *   again would cost blue another restart, so the run is refused before anything is touched;
 * - the state backend (/jobs/:jobid/checkpoints/config): ForSt is the backend async state is built for, so a
 *   canonical savepoint is likely to be refused and a warning says so.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import { PreflightFailedError } from '../errors.ts'
import { innermostCause } from '../steps/watch-blue.ts'
import type { SavepointFormat } from '../upgrade/options.ts'

const REFUSED = /UnsupportedOperationException: Not supported yet/

export async function checkSavepointFormat(
  client: FlinkClient,
  input: { blueJobId: string; format: SavepointFormat },
  signal?: AbortSignal,
): Promise<{ warnings: string[] }> {
  if (input.format === 'native') return { warnings: [] }
  const [history, config] = await Promise.all([
    client.jobs.exceptions({ jobid: input.blueJobId, signal, query: { maxExceptions: 50 } }),
    client.checkpoints.config({ jobid: input.blueJobId, signal }).catch(() => undefined),
  ])
  const refusal = history.exceptionHistory.entries.find((e) => REFUSED.test(e.stacktrace))
  if (refusal) {
    throw new PreflightFailedError(
      'savepoint-format',
      `Blue refused a canonical savepoint at ${new Date(refusal.timestamp).toISOString()} ` +
        `(${innermostCause(refusal.stacktrace)}): its operators use the async state API, and another canonical ` +
        'savepoint would fail its task and restart it again. Use savepoint format native.',
      { refusedAt: refusal.timestamp },
    )
  }
  const backend = config?.state_backend
  return {
    warnings:
      backend && /forst/i.test(backend)
        ? [
            `blue runs on ${backend}: operators on the async state API refuse canonical savepoints, and the refusal restarts blue; ` +
              'use savepoint format native if they do',
          ]
        : [],
  }
}
