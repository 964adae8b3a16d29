/**
 * TLS on real Flink: the JobManager serves REST over TLS and accepts only client certificates its CA signed
 * (security.ssl.rest.authentication-enabled). The CLI upgrades a job there with --ca-cert, --client-cert and
 * --client-key, and moves a job there from a plain cluster with --to-ca-cert, --to-client-cert and
 * --to-client-key; a wrong CA, a missing or unaccepted client certificate and a host-name mismatch each fail
 * before any change, saying which. No output shows a key or the stores' password. Per version one TLS cluster
 * and one plain cluster, with certificates made for the run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFlinkClient, type FlinkClient } from '@flink-deploy/core'
import {
  buildExampleJob,
  type FlinkCluster,
  makeTestCertificates,
  selectedFlinkVersions,
  startFlinkCluster,
  type TestCertificates,
} from '@flink-deploy/local-flink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, ndjson, runCli, tempDir } from '../../packages/cli/src/test-kit.ts'

const output = (run: CliRun) => `exit ${run.code}\n${run.stdout}\n${run.stderr}`

interface TlsCase {
  what: string
  /** TLS flags (without the --to- of a move) */
  flags: (c: TestCertificates) => string[]
  /** the TLS cluster's URL as the CLI is given it */
  url?: (url: string) => string
  reason: string
  message: RegExp
}

const right = (c: TestCertificates) => [
  '--ca-cert',
  c.ca,
  '--client-cert',
  c.clientCert,
  '--client-key',
  c.clientKey,
]

const FAILURES: TlsCase[] = [
  {
    what: 'a CA that did not sign the server certificate',
    flags: (c) => ['--ca-cert', c.strangerCa, '--client-cert', c.clientCert, '--client-key', c.clientKey],
    reason: 'TLS_SERVER_CERT_UNTRUSTED',
    message: /is not signed by a trusted CA/,
  },
  {
    what: 'no client certificate',
    flags: (c) => ['--ca-cert', c.ca],
    reason: 'TLS_CLIENT_CERT_REQUIRED',
    message: /asks for a client certificate/,
  },
  {
    what: 'a client certificate of a CA the server does not trust',
    flags: (c) => [
      '--ca-cert',
      c.ca,
      '--client-cert',
      c.strangerClientCert,
      '--client-key',
      c.strangerClientKey,
    ],
    reason: 'TLS_CLIENT_CERT_REJECTED',
    message: /refused the client certificate/,
  },
  {
    what: 'a host name the server certificate does not name',
    flags: right,
    url: (url) => url.replace('localhost', '127.0.0.1'),
    reason: 'TLS_HOSTNAME_MISMATCH',
    message: /does not name the host 127\.0\.0\.1/,
  },
]

for (const version of selectedFlinkVersions()) {
  describe(`tls: Flink ${version} with REST over mutual TLS`, () => {
    let dir: string
    let certs: TestCertificates
    let cluster: FlinkCluster
    /** a plain cluster a job moves from onto the TLS one */
    let source: FlinkCluster
    let client: FlinkClient
    let sourceClient: FlinkClient
    let jar: string
    const cwd = tempDir('flink-deploy-tls-')
    const runs: CliRun[] = []

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'flink-tls-certs-'))
      certs = await makeTestCertificates(dir)
      ;[cluster, source, jar] = await Promise.all([
        startFlinkCluster({ version, slots: 2, restSsl: certs.restSsl }),
        startFlinkCluster({ version, slots: 1 }),
        buildExampleJob(version),
      ])
      const [ca, cert, key] = await Promise.all(
        [certs.ca, certs.clientCert, certs.clientKey].map((p) => readFile(p)),
      )
      client = createFlinkClient({ baseUrl: cluster.url, tls: { ca, cert, key } })
      sourceClient = createFlinkClient({ baseUrl: source.url })
    })

    afterAll(async () => {
      await Promise.all([client?.close(), sourceClient?.close()].map((p) => p?.catch(() => {})))
      await Promise.all([cluster?.stop(), source?.stop()])
      await rm(dir, { recursive: true, force: true })
    })

    const cli = async (job: string, release: string, flags: string[]) => {
      const args = JSON.stringify(['--name', job, '--release', release, '--rate', '100'])
      const run = await runCli(
        [
          'upgrade',
          '--job-name',
          job,
          '--jar',
          jar,
          '--args-json',
          args,
          '--verify-stabilisation',
          '3s',
        ].concat(['--verify-timeout', '90s', '--json', ...flags]),
        { cwd, timeoutMs: 150_000 },
      )
      runs.push(run)
      return run
    }
    /** The upgrade of `tls-job` on the TLS cluster. */
    const upgrade = (release: string, tls = right(certs), url = cluster.url) =>
      cli('tls-job', release, ['--flink-url', url, ...tls])
    /** The move of `tls-move` from the plain cluster onto the TLS one (`tls` as --to-* flags). */
    const move = (release: string, tls = right(certs), url = cluster.url) =>
      cli(
        'tls-move',
        release,
        ['--flink-url', source.url, '--to-flink-url', url, '--allow-local-savepoint-dir'].concat(
          tls.map((flag) => flag.replace(/^--/, '--to-')),
        ),
      )

    const running = async (c: FlinkClient) =>
      (await c.jobs.overview()).jobs
        .filter((j) => j.state === 'RUNNING')
        .map((j) => `${j.name} ${j.jid}`)
        .sort()
    const everywhere = async () => ({ tls: await running(client), plain: await running(sourceClient) })

    it('tls: an upgrade with --ca-cert, --client-cert and --client-key succeeds', async () => {
      const deploy = await upgrade('v1')
      expect(deploy.code, output(deploy)).toBe(0)
      const blue = ndjson(deploy.stdout).at(-1)!.greenJobId as string
      const run = await upgrade('v2')
      expect(run.code, output(run)).toBe(0)
      const result = ndjson(run.stdout).at(-1)!
      expect(result).toMatchObject({ outcome: 'upgraded', blueJobId: blue })
      expect(await running(client)).toEqual([`tls-job ${result.greenJobId}`])
    })

    for (const c of FAILURES) {
      it(`tls: ${c.what} fails with ${c.reason} before any change, in an upgrade and in a move's target`, async () => {
        // blue of the move, on the plain cluster (once)
        if ((await running(sourceClient)).length === 0) {
          const deploy = await cli('tls-move', 'v1', ['--flink-url', source.url])
          expect(deploy.code, output(deploy)).toBe(0)
        }
        const before = await everywhere()
        const url = (c.url ?? ((u: string) => u))(cluster.url)
        for (const run of [await upgrade('v3', c.flags(certs), url), await move('v2', c.flags(certs), url)]) {
          expect(run.code, output(run)).not.toBe(0)
          expect(output(run)).toContain(c.reason)
          expect(output(run)).toMatch(c.message)
          expect(output(run)).toContain(new URL(url).origin)
        }
        expect(await everywhere()).toEqual(before)
      })
    }

    it('tls: a move onto the TLS cluster with --to-ca-cert, --to-client-cert and --to-client-key succeeds', async () => {
      const run = await move('v2')
      expect(run.code, output(run)).toBe(0)
      const result = ndjson(run.stdout).at(-1)!
      expect(result).toMatchObject({ outcome: 'upgraded', clusters: { green: cluster.url } })
      expect(await running(sourceClient)).toEqual([])
      expect(await running(client)).toContain(`tls-move ${result.greenJobId}`)
    })

    it('tls: no output shows a key or the password', () => {
      expect(runs.length).toBeGreaterThan(10)
      for (const run of runs) {
        for (const secret of certs.secrets) expect(output(run)).not.toContain(secret)
      }
    })
  })
}
