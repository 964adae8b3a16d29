/** Helpers for this folder's tests (not exported): a tiny jar on disk and the two ways to start a fake. */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient, type FlinkClient } from '../client/flink-client.ts'
import type { FakeFlinkOptions } from './cluster-options.ts'
import type { FakeFlinkBase } from './fake-flink.ts'
import { startFakeFlink } from './in-process.ts'
import { serveFakeFlink } from './loopback-server.ts'

/** Writes a minimal zip (an empty archive's end record after a local header signature) named `name`. */
export async function writeTinyJar(name = 'job.jar'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-flink-test-'))
  const path = join(dir, name)
  await writeFile(path, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]))
  return path
}

export interface Started {
  fake: FakeFlinkBase
  client: FlinkClient
  close(): Promise<void>
}

/** A client for the fake with fast retries; closing it closes the fake too. */
function withClient(fake: FakeFlinkBase, stop: () => Promise<void>): Started {
  const client = createFlinkClient({
    baseUrl: fake.url,
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20 },
  })
  return {
    fake,
    client,
    close: async () => {
      await client.close()
      await stop()
    },
  }
}

export const transports = {
  'in-process': async (options: FakeFlinkOptions = {}): Promise<Started> => {
    const fake = await startFakeFlink(options)
    return withClient(fake, () => fake.stop())
  },
  loopback: async (options: FakeFlinkOptions = {}): Promise<Started> => {
    const fake = await serveFakeFlink(options)
    return withClient(fake, () => fake.close())
  },
} as const

export const JOB_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
export const GREEN_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
