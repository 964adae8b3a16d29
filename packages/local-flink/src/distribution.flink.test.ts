/**
 * The local cluster is the binary distribution: its classpath has every jar of lib/ (flink-dist by the
 * modules it bundles), and a job using Flink's file connector, which its jar leaves to the cluster, runs.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { createFlinkClient } from '@flink-deploy/core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { resolveClasspath } from './classpath.ts'
import { type FlinkCluster, startFlinkCluster } from './cluster.ts'
import { distributionArtifacts, distributionLibArtifactIds } from './distribution.ts'
import { buildExampleJob } from './example-job.ts'
import { flinkMajor, selectedFlinkVersions } from './versions.ts'

/** artifact id → version of each jar on the classpath (a Maven jar is named <artifactId>-<version>.jar) */
function jarVersions(classpath: string[]): Map<string, string> {
  const versions = new Map<string, string>()
  for (const jar of classpath) {
    const m = /^(.+?)-(\d+(?:\.\d+)+(?:-[A-Za-z][\w.]*)?)\.jar$/.exec(basename(jar))
    if (m) versions.set(m[1]!, m[2]!)
  }
  return versions
}

for (const version of selectedFlinkVersions()) {
  describe(`Flink ${version} as the binary distribution`, () => {
    let cluster: FlinkCluster
    let dir: string

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'flink-file-lines-'))
      cluster = await startFlinkCluster({ version, slots: 1 })
    })

    afterAll(async () => {
      await cluster?.stop()
      await rm(dir, { recursive: true, force: true })
    })

    it("has every jar of the distribution's lib/ on the classpath, flink-dist by its modules", async () => {
      const jars = jarVersions(await resolveClasspath(version))
      const lib = distributionLibArtifactIds(version)
      expect(lib).toContain('flink-connector-files')
      expect(lib.includes('flink-scala_2.12')).toBe(flinkMajor(version) < 2)
      for (const artifact of distributionArtifacts(version)) {
        expect(jars.get(artifact.artifactId), artifact.artifactId).toBe(artifact.version)
      }
      const onClasspath = lib.filter((id) => id === 'flink-dist' || jars.has(id))
      expect(onClasspath).toEqual(lib)
      // what flink-dist bundles is of the cluster's own version, not of a pinned lib/ jar's
      for (const module of ['flink-core', 'flink-runtime', 'flink-streaming-java', 'flink-runtime-web']) {
        expect(jars.get(module), module).toBe(version)
      }
    })

    it("runs a job using Flink's file connector, which the job's jar does not bundle", async () => {
      const jar = await buildExampleJob(version)
      const input = join(dir, 'input.txt')
      const output = join(dir, 'output')
      const lines = ['first line', 'second line', 'third line']
      await writeFile(input, `${lines.join('\n')}\n`)
      const client = createFlinkClient({ baseUrl: cluster.url })
      try {
        const { jarId } = await client.jars.upload(jar)
        const { jobid } = await client.jars.run({
          jarid: jarId,
          body: { entryClass: 'dev.flinkdeploy.example.FileLines', programArgsList: [input, output] },
        })
        await vi.waitFor(async () => expect((await client.jobs.get({ jobid })).state).toBe('FINISHED'), {
          timeout: 90_000,
          interval: 500,
        })
      } finally {
        await client.close()
      }
      const parts = (await readdir(output, { recursive: true, withFileTypes: true })).filter(
        (e) => e.isFile() && !e.name.startsWith('.'),
      )
      const written = await Promise.all(parts.map((e) => readFile(join(e.parentPath, e.name), 'utf8')))
      expect(written.join('').trim().split('\n').sort()).toEqual(lines.map((l) => l.toUpperCase()).sort())
    })
  })
}
