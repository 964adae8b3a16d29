/**
 * The Flink version decides a few request shapes (claimMode since 1.20, programArgs gone in 2.0), so the
 * client reads it once from GET /config instead of asking the user.
 */
import { FlinkResponseShapeError } from '../errors.ts'

export interface FlinkVersion {
  /** As Flink reports it, e.g. "1.20.5" or "2.3.0". */
  raw: string
  major: number
  minor: number
  patch: number
}

export function parseFlinkVersion(raw: string): FlinkVersion | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw.trim())
  if (!match) return undefined
  return { raw, major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) }
}

export function isAtLeast(version: FlinkVersion, major: number, minor: number): boolean {
  return version.major > major || (version.major === major && version.minor >= minor)
}

export async function detectVersion(getConfig: () => Promise<unknown>): Promise<FlinkVersion> {
  const config = (await getConfig()) as { 'flink-version': string }
  const version = parseFlinkVersion(config['flink-version'])
  if (!version) {
    throw new FlinkResponseShapeError(
      'GET /config',
      `✖ flink-version "${config['flink-version']}" is not a version number`,
    )
  }
  return version
}
