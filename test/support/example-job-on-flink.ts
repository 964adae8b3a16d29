/**
 * The ground most real-Flink test files stand on: one cluster of a Flink version, the example job built for it,
 * a client and a state file, started before the file's tests and stopped after them. Call it inside a
 * `describe`; the returned object is filled in once `beforeAll` has run.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createFlinkClient,
  type FlinkClient,
  type UpgradeOptions,
  type UpgradeRuntime,
  upgrade,
} from '@flink-deploy/core'
import {
  buildExampleJob,
  type FlinkCluster,
  type StartFlinkClusterOptions,
  startFlinkCluster,
} from '@flink-deploy/local-flink'
import { afterAll, beforeAll, expect } from 'vitest'

export interface ExampleJobOnFlink {
  readonly cluster: FlinkCluster
  readonly client: FlinkClient
  readonly jar: string
  readonly runtime: UpgradeRuntime
  /** Release `name` of the example job: the suite's job, arguments and options, then `extra` (its args appended). */
  release(name: string, extra?: Partial<UpgradeOptions>): UpgradeOptions
}

type ClusterOptions = Omit<StartFlinkClusterOptions, 'version'>

export interface ExampleJobSuiteOptions {
  version: string
  /** A function when the options exist only once the file's own `beforeAll` ran (a ZooKeeper's quorum). */
  cluster?: ClusterOptions | (() => ClusterOptions)
  jobName?: string
  /** Arguments after `--name <job> --release <name> --rate 200`. */
  args?: string[]
  /** Options every release carries (verify, timeouts, ...). */
  options?: Partial<UpgradeOptions>
  /** Deploy release v1 before the tests, and expect it upgraded. */
  deployFirst?: boolean
}

export function exampleJobOnFlink(suite: ExampleJobSuiteOptions): ExampleJobOnFlink {
  const jobName = suite.jobName ?? 'orders'
  const ground = {} as { cluster: FlinkCluster; client: FlinkClient; jar: string; runtime: UpgradeRuntime }
  const release = (name: string, extra: Partial<UpgradeOptions> = {}): UpgradeOptions => ({
    jobName,
    jar: ground.jar,
    ...suite.options,
    ...extra,
    args: [
      '--name',
      jobName,
      '--release',
      name,
      '--rate',
      '200',
      ...(suite.args ?? []),
      ...(extra.args ?? []),
    ],
  })

  beforeAll(async () => {
    const [cluster, jar] = await Promise.all([
      startFlinkCluster({
        ...(typeof suite.cluster === 'function' ? suite.cluster() : suite.cluster),
        version: suite.version,
      }),
      buildExampleJob(suite.version),
    ])
    const client = createFlinkClient({ baseUrl: cluster.url })
    const stateDir = mkdtempSync(join(tmpdir(), `flink-deploy-${jobName}-`))
    Object.assign(ground, {
      cluster,
      jar,
      client,
      runtime: { client, stateFile: join(stateDir, `${jobName}.json`) },
    })
    if (suite.deployFirst) {
      const first = await upgrade(release('v1'), ground.runtime)
      expect(first.outcome, first.summary).toBe('upgraded')
    }
  })

  afterAll(async () => {
    await ground.client?.close().catch(() => {})
    await ground.cluster?.stop()
  })

  return {
    get cluster() {
      return ground.cluster
    },
    get client() {
      return ground.client
    },
    get jar() {
      return ground.jar
    },
    get runtime() {
      return ground.runtime
    },
    release,
  }
}
