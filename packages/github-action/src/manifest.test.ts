/** The built Action with `manifest:`: every job applied, one summary and a `jobs` output for all of them. */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type LoopbackFakeFlink, serveFakeFlink } from '@flink-deploy/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fakeJar, runDist, workspace } from './action-test-kit.ts'

let fake: LoopbackFakeFlink
let dir: string
beforeEach(async () => {
  fake = await serveFakeFlink({ version: '2.3.0', slotsPerTaskManager: 16, timing: { programSecondMs: 20 } })
  dir = workspace()
})
afterEach(async () => {
  await fake.close()
  rmSync(dir, { recursive: true, force: true })
})

function manifest(extra = ''): void {
  fakeJar(dir, 'a.jar', 'a')
  fakeJar(dir, 'b.jar', 'b')
  writeFileSync(
    join(dir, 'flink-deploy.yaml'),
    `defaults: { verify-stabilisation: 150ms, verify-timeout: 5s }
jobs:
  - { job-name: job-a, jar: a.jar, args: [--name, job-a, --release, v1] }
  - { job-name: job-b, jar: b.jar, wave: 2, args: [--name, job-b, --release, v1${extra}] }
`,
  )
}

describe('manifest', () => {
  it('applies every job and reports them in one summary and the jobs output', async () => {
    manifest()
    const r = await runDist({ 'flink-url': fake.url, manifest: 'flink-deploy.yaml' }, { workspace: dir })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.outputs.outcome).toBe('applied')
    const jobs = JSON.parse(r.outputs.jobs!) as { job: string; status: string; jobId: string }[]
    expect(jobs.map((j) => [j.job, j.status])).toEqual([
      ['job-a', 'changed'],
      ['job-b', 'changed'],
    ])
    for (const j of jobs) expect(fake.cluster.job(j.jobId)!.state).toBe('RUNNING')
    expect(r.summary).toContain('## ✅ Applied: ')
    expect(r.summary).toMatch(/\| job-a \| 1 \| ✅ changed \| upgraded \|/)
    expect(r.stdout).toContain('[job-b] ')
  })

  it('a failing job fails the step and the summary says which jobs did not change', async () => {
    manifest(', --fail-after, 1, --restart-attempts, 0')
    const r = await runDist({ 'flink-url': fake.url, manifest: 'flink-deploy.yaml' }, { workspace: dir })
    expect(r.code).toBe(1)
    expect(r.outputs.outcome).toBe('failed')
    expect(r.summary).toMatch(/\| job-b \| 2 \| ❌ failed \|/)
    expect(r.stdout).toContain('::error::job-b: ')
  })

  it('one job inputs beside a manifest are refused', async () => {
    manifest()
    const r = await runDist(
      { 'flink-url': fake.url, manifest: 'flink-deploy.yaml', 'job-name': 'x' },
      { workspace: dir },
    )
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      'Input job-name: give the jobs in the manifest, not as inputs, when manifest is given',
    )
  })
})
