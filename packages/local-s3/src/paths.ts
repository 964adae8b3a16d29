import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** packages/local-s3 */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
/** packages/local-s3/.cache (gitignored): the moto virtualenv, CLI state */
export const CACHE_DIR = join(PACKAGE_DIR, '.cache')
/** Pins for moto's dependencies, passed to pip as constraints so every machine runs the same server. */
export const CONSTRAINTS_FILE = join(PACKAGE_DIR, 'moto-constraints.txt')

/** The PyPI release of moto this package runs (its S3 conditional-write behaviour is tested against it). */
export const MOTO_VERSION = '5.2.5'

/** `python3` (override with the PYTHON environment variable): creates the virtualenv. */
export function pythonBinary(env: Record<string, string | undefined> = process.env): string {
  return env.PYTHON || 'python3'
}
