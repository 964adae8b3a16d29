/** Flink versions the local cluster and the example job are tested with (all served by Maven Central). */
export const FLINK_VERSIONS = {
  '1.20': '1.20.5',
  '2.3': '2.3.0',
} as const

export type FlinkMinor = keyof typeof FLINK_VERSIONS

/** Used when no version is given and FLINK_VERSION is unset. */
export const DEFAULT_FLINK_VERSION: FlinkMinor = '2.3'

/**
 * Maps '2.3' → '2.3.0', '1.20' → '1.20.5'; a full version ('2.2.1') is passed through unchanged
 * (any version with published flink-runtime-web artifacts should work).
 */
export function resolveFlinkVersion(version: string = DEFAULT_FLINK_VERSION): string {
  const v = version.trim()
  if (Object.hasOwn(FLINK_VERSIONS, v)) return FLINK_VERSIONS[v as FlinkMinor]
  if (/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(v)) return v
  throw new Error(
    `Unknown Flink version "${version}": use one of ${Object.keys(FLINK_VERSIONS).join(', ')} or a full x.y.z version`,
  )
}

/**
 * Versions selected by the FLINK_VERSION environment variable (comma list, e.g. "1.20,2.3" or "2.3.0");
 * all FLINK_VERSIONS when unset or empty. Returns full versions, de-duplicated, in the given order.
 */
export function selectedFlinkVersions(env: Record<string, string | undefined> = process.env): string[] {
  const raw = env.FLINK_VERSION?.trim()
  const list = raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : Object.keys(FLINK_VERSIONS)
  return [...new Set(list.map((v) => resolveFlinkVersion(v)))]
}

/** Major version number (1 or 2): REST/CLI differences mostly follow the major. */
export function flinkMajor(version: string): number {
  return Number(resolveFlinkVersion(version).split('.')[0])
}
