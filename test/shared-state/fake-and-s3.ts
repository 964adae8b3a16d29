/** The servers the shared-state tests without real Flink need: the fake Flink on loopback and a real S3 server. */
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { type S3Server, startS3Server } from '@flink-deploy/local-s3'
import { afterAll, beforeAll } from 'vitest'

export interface Servers {
  fake: LoopbackFakeFlink
  s3: S3Server
}

/** Started before the file's tests (moto's first install can take a minute), stopped after them. */
export function fakeFlinkAndS3(bucket: string): Servers {
  const servers = {} as Servers
  beforeAll(async () => {
    ;[servers.fake, servers.s3] = await Promise.all([
      serveFakeFlink({ version: '2.3.0', slotsPerTaskManager: 64, timing: { programSecondMs: 20 } }),
      startS3Server({ buckets: [bucket] }),
    ])
  }, 300_000)
  afterAll(async () => {
    await servers.fake?.close()
    await servers.s3?.stop()
  })
  return servers
}
