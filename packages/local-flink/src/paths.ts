import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** packages/local-flink */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
/** packages/local-flink/.cache (gitignored): resolved classpaths, CLI state */
export const CACHE_DIR = join(PACKAGE_DIR, '.cache')
/** packages/local-flink/maven/s3-plugin.pom.xml: resolves flink-s3-fs-hadoop */
export const S3_PLUGIN_POM = join(PACKAGE_DIR, 'maven', 's3-plugin.pom.xml')
/** repo root */
export const REPO_ROOT = join(PACKAGE_DIR, '..', '..')
/** examples/flink-job */
export const EXAMPLE_JOB_DIR = join(REPO_ROOT, 'examples', 'flink-job')
/** packages/flink-gate: the hand-over gate, a Maven module the example job is built with */
export const GATE_DIR = join(REPO_ROOT, 'packages', 'flink-gate')
