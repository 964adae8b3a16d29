/**
 * The hand-over gate's own tests (packages/flink-gate, JUnit on Flink's MiniCluster), run by Maven for each
 * selected Flink version: standby, blue before T, the exact split at T, green waiting for greenPasses, metrics.
 */
import { join } from 'node:path'
import { selectedFlinkVersions } from '@flink-deploy/local-flink'
import { exec, lastLines, mavenBinary, stripAnsi } from '@flink-deploy/local-process'
import { describe, expect, it } from 'vitest'

const GATE_POM = join(import.meta.dirname, '..', '..', 'packages', 'flink-gate', 'pom.xml')

for (const version of selectedFlinkVersions()) {
  describe(`hand-over gate library on Flink ${version}'s MiniCluster`, () => {
    it('passes its JUnit tests (mvn verify)', async () => {
      const args = ['-B', '-Dstyle.color=never', '-f', GATE_POM, 'verify', `-Dflink.version=${version}`]
      const res = await exec(mavenBinary(), args, { timeoutMs: 10 * 60_000 })
      const output = stripAnsi(res.output)
      expect(res.code, lastLines(output, 80)).toBe(0)
      // the run really ran the tests, none skipped
      expect(output).toMatch(/Tests run: (\d+), Failures: 0, Errors: 0, Skipped: 0\n/)
      const ran = Number(/Tests run: (\d+), Failures: 0, Errors: 0, Skipped: 0\n/.exec(output)?.[1])
      expect(ran).toBeGreaterThanOrEqual(10)
    }, 600_000)
  })
}
