/**
 * The contract suite against the in-process fake Flink, imitating 1.20.5 and 2.3.0. The fake's default program
 * is the example job (same vertices, metrics and arguments), so the suite that runs on real Flink runs here
 * unchanged; only time is compressed (one program second is 20 ms).
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient } from '@flink-deploy/core'
import { type FakeFlinkOptions, startFakeFlink } from '@flink-deploy/core/testing'
import { defineContractSuite } from './contract-suite.ts'

/** A jar named like the real example job's (the fake only reads its name and size). */
async function fakeJar(version: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'contract-fake-'))
  const path = join(dir, `flink-job-${version}.jar`)
  await writeFile(path, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]))
  return path
}

async function startFake(version: string) {
  const options: FakeFlinkOptions = {
    version,
    config: { 'rest.flamegraph.enabled': 'true' },
    timing: { programSecondMs: 20 },
  }
  const fake = await startFakeFlink(options)
  const client = createFlinkClient({
    baseUrl: fake.url,
    retry: { retries: 3, minDelayMs: 5, maxDelayMs: 20 },
  })
  return { fake, client }
}

for (const version of ['1.20.5', '2.3.0']) {
  defineContractSuite(`fake Flink ${version}`, async () => {
    const { fake, client } = await startFake(version)
    return {
      client,
      version,
      jarPath: await fakeJar(version),
      timeoutMs: 3_000,
      intervalMs: 10,
      async startThrowaway() {
        const throwaway = await startFakeFlink({ version })
        const c = createFlinkClient({ baseUrl: throwaway.url, retry: { retries: 0 } })
        return {
          client: c,
          async stop() {
            await c.close()
            await throwaway.stop()
          },
        }
      },
      async close() {
        await client.close()
        await fake.stop()
      },
    }
  })
}
