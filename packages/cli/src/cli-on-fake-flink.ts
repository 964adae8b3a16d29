/**
 * The ground of the CLI test files: one fake Flink on loopback for the file (the example job as its default
 * program, one program second lasting 20 ms), and per test a fresh folder and job name. Call it at the top of
 * a test file; the returned object's fields are filled in by its hooks.
 */
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { type CliRun, runCli, tempDir } from './test-kit.ts'

export interface CliOnFakeFlink {
  readonly fake: LoopbackFakeFlink
  /** This test's working folder. */
  readonly dir: string
  /** This test's job name: `<prefix>-<n>`. */
  readonly job: string
  /** Runs the CLI in `dir` against the fake Flink (FLINK_DEPLOY_FLINK_URL), with more environment on top. */
  cli(args: string[], env?: Record<string, string>): Promise<CliRun>
}

export function cliOnFakeFlink(jobPrefix = 'orders'): CliOnFakeFlink {
  const ground = {} as { fake: LoopbackFakeFlink; dir: string; job: string }
  let n = 0
  beforeAll(async () => {
    ground.fake = await serveFakeFlink({
      version: '2.3.0',
      slotsPerTaskManager: 64,
      timing: { programSecondMs: 20 },
    })
  })
  afterAll(async () => {
    await ground.fake?.close()
  })
  beforeEach(() => {
    ground.dir = tempDir()
    ground.job = `${jobPrefix}-${++n}`
  })
  return {
    get fake() {
      return ground.fake
    },
    get dir() {
      return ground.dir
    },
    get job() {
      return ground.job
    },
    cli: (args, env = {}) =>
      runCli(args, { cwd: ground.dir, env: { FLINK_DEPLOY_FLINK_URL: ground.fake.url, ...env } }),
  }
}

/** A failed expectation's message: the exit code and both streams. */
export const explain = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n---\n${run.stderr}`
