/**
 * Request differences between Flink versions, applied just before a call so callers write one shape:
 * - `claimMode` exists since 1.20; older clusters only know `restoreMode` (same values).
 * - `programArgs` (one string) was removed in 2.0; Flink 2.x silently ignores it, which would run the job
 *   without its arguments, so the client refuses it there.
 */
import { FlinkUnsupportedError } from '../errors.ts'
import { type FlinkVersion, isAtLeast } from './version.ts'

const JAR_PROGRAM_ROUTES = new Set(['POST /jars/:jarid/run', 'POST /jars/:jarid/plan'])

interface ProgramBody {
  programArgs?: string
  claimMode?: string
  restoreMode?: string
}

/** Adapts a validated request body to the cluster's version; reads the version only when it matters. */
export async function adaptBody(
  key: string,
  validBody: unknown,
  version: () => Promise<FlinkVersion>,
): Promise<unknown> {
  if (!JAR_PROGRAM_ROUTES.has(key) || typeof validBody !== 'object' || validBody === null) return validBody
  const body = validBody as ProgramBody
  if (body.programArgs === undefined && body.claimMode === undefined) return body

  const v = await version()
  if (body.programArgs !== undefined && v.major >= 2) {
    throw new FlinkUnsupportedError(
      `programArgs (a single string) was removed in Flink 2.0 and this cluster runs ${v.raw}; pass programArgsList instead`,
    )
  }
  if (body.claimMode !== undefined && !isAtLeast(v, 1, 20)) {
    const { claimMode, ...rest } = body
    return { ...rest, restoreMode: body.restoreMode ?? claimMode }
  }
  return body
}
