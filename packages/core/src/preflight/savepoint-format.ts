/**
 * Will blue take a savepoint in the format asked for? Flink 2.x cannot write a canonical savepoint of an
 * operator on the async state API (State V2, `keyBy(...).enableAsyncState()`): StreamOperatorStateHandler
 * throws UnsupportedOperationException "Not supported yet.", which fails the task and restarts the job. The
 * REST API does not show which operators use async state. What it does show:
 * - the job's exception history, which holds that refusal if a canonical savepoint was tried before: trying
 *   again would cost blue another restart, so the run is refused before anything is touched;
 * - the state backend (/jobs/:jobid/checkpoints/config): ForSt, the backend async state is built for, writes
 *   only native savepoints up to Flink 2.3 (ForStStateBackend#supportsSavepointFormat, FLINK-37301; its
 *   synchronous keyed backend throws on savepoint()), so a canonical run is refused there; later versions
 *   get a warning, as support may come.
 * SQL operators on async state (table.exec.async-state.enabled) refuse as DataStream ones do; the job's table
 * configuration is not on the REST API, so only the exception history shows them.
 */
import type { FlinkClient } from '../client/flink-client.ts'
import { innermostCause } from '../client/java-stacktrace.ts'
import { PreflightFailedError } from '../errors.ts'
import type { SavepointFormat } from '../upgrade/options.ts'

const REFUSED = /UnsupportedOperationException: Not supported yet/

export async function checkSavepointFormat(
  client: FlinkClient,
  input: { blueJobId: string; format: SavepointFormat; flinkVersion: string },
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
  if (!backend || !/forst/i.test(backend)) return { warnings: [] }
  if (forStWritesOnlyNative(input.flinkVersion)) {
    throw new PreflightFailedError(
      'savepoint-format',
      `Blue runs on ${backend}, which writes only native savepoints in Flink ${input.flinkVersion}: a canonical ` +
        'savepoint would fail and cost blue a restart. Use savepoint format native.',
      { stateBackend: backend },
    )
  }
  return {
    warnings: [
      `blue runs on ${backend}: canonical savepoints of its async state may be refused, and the refusal restarts blue; ` +
        'use savepoint format native if they are',
    ],
  }
}

/** ForSt supports only NATIVE savepoints in Flink 2.0 to 2.3. */
function forStWritesOnlyNative(flinkVersion: string): boolean {
  const [major = 0, minor = 0] = flinkVersion.split('.').map((p) => Number.parseInt(p, 10))
  return major === 2 && minor <= 3
}
