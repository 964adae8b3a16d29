import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { INPUT_NAMES, type InputName, parseInputs, secretsOf } from './inputs.ts'

const dir = mkdtempSync(join(tmpdir(), 'flink-deploy-inputs-'))
const jar = join(dir, 'orders.jar')
writeFileSync(jar, 'PK\x03\x04')
const paths = { cwd: dir, workspace: '/ws' }

const reader =
  (inputs: Partial<Record<InputName, string>>) =>
  (name: InputName): string =>
    inputs[name] ?? ''
const base = { 'flink-url': 'https://flink.example.com:8081', 'job-name': 'orders', jar: 'orders.jar' }
const parse = (inputs: Partial<Record<InputName, string>>) => parseInputs(reader(inputs), paths)
const problem = (inputs: Partial<Record<InputName, string>>) => {
  try {
    parse(inputs)
  } catch (error) {
    return (error as Error).message
  }
  return 'no error'
}

describe('parseInputs', () => {
  it('maps every input onto core options, with defaults as in action.yml', () => {
    const parsed = parse({
      ...base,
      args: '--name\n  orders  \n\n--release\nv2\n',
      parallelism: '4',
      strategy: 'blue-green',
      'savepoint-format': 'native',
      'claim-mode': 'claim',
      'manual-promotion': 'true',
      'keep-savepoints': '3',
      'verify-checkpoints': '0',
      'verify-stabilisation-ms': '500',
      'verify-caught-up': 'false',
      'verify-caught-up-max-pending': '0',
      'verify-caught-up-window-ms': '2500',
      'flink-config': 'pipeline.name=orders\ns3.secret-key = abc=def',
      token: 'tok',
      headers: 'X-Tenant: blue\nX-Api-Key: Key abc',
      'rollback-jar': 'orders.jar',
      'rollback-args': '--release\nv1',
    })
    expect(parsed).toMatchObject({
      action: 'deploy',
      stateFile: '/ws/.flink-deploy/orders.json',
      target: 'orders',
    })
    expect(parsed.client).toEqual({
      baseUrl: 'https://flink.example.com:8081',
      auth: { type: 'bearer', token: 'tok' },
      headers: { 'X-Tenant': 'blue', 'X-Api-Key': 'Key abc' },
      tls: undefined,
    })
    expect(parsed.upgrade).toEqual({
      jobName: 'orders',
      jar,
      args: ['--name', 'orders', '--release', 'v2'],
      parallelism: 4,
      flinkConfiguration: { 'pipeline.name': 'orders', 's3.secret-key': 'abc=def' },
      strategy: 'blue-green',
      savepointFormat: 'native',
      claimMode: 'CLAIM',
      manualPromotion: true,
      keepSavepoints: 3,
      rollback: { jar, args: ['--release', 'v1'] },
      verify: {
        checkpoints: 0,
        stabilisationMs: 500,
        caughtUp: false,
        caughtUpMaxPending: 0,
        caughtUpWindowMs: 2_500,
      },
    })
  })

  it('accept-duplicates-and-fencing reaches the upgrade options (off unless set)', () => {
    expect(parse({ ...base, 'accept-duplicates-and-fencing': 'true' }).upgrade).toMatchObject({
      acceptDuplicatesAndFencing: true,
    })
    expect(parse(base).upgrade).not.toHaveProperty('acceptDuplicatesAndFencing')
  })

  it('notify (one URL per line), notify-secret and notify-steps: the upgrade options of deploy, the runtime of the others', () => {
    const given = {
      notify: 'https://hooks.slack.com/services/T0/B0/XYZ\n  https://ci.example.com/hook \n',
      'notify-secret': 'whsec-1',
      'notify-steps': 'true',
    }
    const notify = {
      urls: ['https://hooks.slack.com/services/T0/B0/XYZ', 'https://ci.example.com/hook'],
      secret: 'whsec-1',
      steps: true,
    }
    const deploy = parse({ ...base, ...given })
    expect(deploy.upgrade).toMatchObject({ notify })
    expect(deploy.notify).toBeUndefined()
    const promote = parse({
      'flink-url': base['flink-url'],
      'job-name': 'orders',
      action: 'promote',
      ...given,
    })
    expect(promote.notify).toEqual(notify)
    expect(parse(base).upgrade).not.toHaveProperty('notify')
    // With a manifest: for every job's run, beside the jobs' own.
    const fleet = parse({ 'flink-url': base['flink-url'], manifest: 'flink-deploy.yaml', ...given })
    expect(fleet.notify).toEqual(notify)
    // The URL of a bad line is not echoed.
    expect(problem({ ...base, notify: 'https://ok.example.com\nhooks.slack.com/services/T0/B0/XYZ' })).toBe(
      'Input notify: line 2 is not an http(s) webhook URL',
    )
  })

  it('every input of action.yml is read, and every input read is in action.yml', () => {
    const yml = readFileSync(new URL('../action.yml', import.meta.url), 'utf8')
    const inputs = yml.slice(yml.indexOf('\ninputs:\n'), yml.indexOf('\noutputs:\n'))
    const names = [...inputs.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1])
    expect(names.sort()).toEqual([...INPUT_NAMES].sort())
  })

  it('timeouts and the rollback configuration reach core options', () => {
    const parsed = parse({
      ...base,
      'savepoint-timeout-ms': '60000',
      'cancel-timeout-ms': '30000',
      'blue-settle-ms': '2000',
      'rollback-jar': 'orders.jar',
      'rollback-flink-config': 'state.backend.type=rocksdb',
    })
    expect(parsed.upgrade).toMatchObject({
      timeouts: { savepointMs: 60_000, cancelMs: 30_000, blueSettleMs: 2_000 },
      rollback: { jar, flinkConfiguration: { 'state.backend.type': 'rocksdb' } },
    })
    expect(problem({ ...base, 'rollback-flink-config': 'a=b' })).toBe(
      'Input rollback-flink-config: needs rollback-jar',
    )
  })

  it('promote needs no jar and finds the state file from job-id or state-file', () => {
    const byId = parse({ 'flink-url': 'http://f:8081', action: 'promote', 'job-id': 'a'.repeat(32) })
    expect(byId).toMatchObject({ action: 'promote', stateFile: `/ws/.flink-deploy/${'a'.repeat(32)}.json` })
    expect(byId.upgrade).toBeUndefined()
    const byFile = parse({ 'flink-url': 'http://f:8081', action: 'reject', 'state-file': 'state/x.json' })
    expect(byFile.stateFile).toBe(join(dir, 'state/x.json'))
  })

  it('a state store replaces the state file; the lock names the workflow run unless told otherwise', () => {
    const env = {
      GITHUB_REPOSITORY: 'acme/orders',
      GITHUB_RUN_ID: '77',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_JOB: 'deploy',
    }
    const parsed = parseInputs(
      reader({ ...base, 'state-store': 's3://deploy-state/flink', 'lock-lease-ms': '30000' }),
      {
        ...paths,
        env,
      },
    )
    expect(parsed).toMatchObject({ stateStore: 's3://deploy-state/flink', leaseMs: 30_000, target: 'orders' })
    expect(parsed.stateFile).toBeUndefined()
    expect(parsed.lockOwner).toBe('GitHub Actions acme/orders run 77 (attempt 2), job deploy')
    expect(parse({ ...base, 'lock-owner': 'release bot' }).lockOwner).toBe('release bot')
    expect(problem({ ...base, 'state-store': 's3://b/x', 'state-file': 'x.json' })).toBe(
      'Input state-file: give state-file or state-store, not both',
    )
    expect(problem({ 'flink-url': 'http://f:8081', action: 'resume', 'state-store': 's3://b/x' })).toBe(
      'Input job-name: required for action resume with state-store: give job-name (or job-id) to choose the job in the store',
    )
  })

  it.each([
    [
      { 'flink-url': '' },
      'Input flink-url: required; expected the JobManager REST URL, e.g. https://flink.example.com:8081',
    ],
    [{ 'flink-url': 'flink:8081' }, 'Input flink-url: expected an http or https URL, got "flink:8081"'],
    [
      { 'flink-url': 'nonsense' },
      'Input flink-url: expected an http(s) URL such as https://flink.example.com:8081, got "nonsense"',
    ],
    [
      { 'flink-url': 'https://u:hunter22@f' },
      'Input flink-url: credentials in the URL are not accepted; use the token or username and password inputs',
    ],
    [{ action: 'rollback' }, 'Input action: expected one of deploy, promote, reject, resume, got "rollback"'],
    [{ parallelism: 'two' }, 'Input parallelism: expected a positive whole number, got "two"'],
    [{ parallelism: '0' }, 'Input parallelism: expected a positive whole number, got "0"'],
    [
      { 'verify-checkpoints': '-1' },
      'Input verify-checkpoints: expected a whole number (0 or more), got "-1"',
    ],
    [{ 'verify-timeout-ms': '1.5' }, 'Input verify-timeout-ms: expected a positive whole number, got "1.5"'],
    [
      { 'verify-caught-up-window-ms': '0' },
      'Input verify-caught-up-window-ms: expected a positive whole number, got "0"',
    ],
    [{ 'claim-mode': 'legacy' }, 'Input claim-mode: expected one of NO_CLAIM, CLAIM, got "LEGACY"'],
    [{ drain: 'yes' }, 'Input drain: expected true or false, got "yes"'],
    [{ jar: '' }, 'Input jar: required for action deploy; expected the path of the release jar'],
    [{ jar: 'nope.jar' }, `Input jar: file not found: ${join(dir, 'nope.jar')}`],
    [{ 'flink-config': 'a=b\nnot a pair' }, 'Input flink-config: line 2 is not key=value'],
    [{ headers: 'Authorization Bearer s3cret' }, 'Input headers: line 1 is not "Name: value"'],
    [
      { token: 't', username: 'u', password: 'p' },
      'Input token: give token or username and password, not both',
    ],
    [{ password: 'p' }, 'Input username: required with password'],
    [{ username: 'u' }, 'Input password: required with username'],
    [
      { 'client-key': 'key.pem' },
      'Input client-key: expected PEM content (-----BEGIN ...-----), e.g. from a secret; a file path is not read',
    ],
    [
      { 'ca-cert': '-----BEGIN CERTIFICATE-----\nabc' },
      'Input ca-cert: TLS settings need an https flink-url',
    ],
    [
      { 'client-cert': '-----BEGIN CERTIFICATE-----\nabc' },
      'Input client-key: client-cert and client-key go together',
    ],
    [
      { stateless: 'true', 'initial-savepoint': 's3://sp' },
      'Input stateless: stateless and initial-savepoint exclude each other',
    ],
    [{ 'rollback-args': '--x' }, 'Input rollback-args: needs rollback-jar'],
  ] as [Partial<Record<InputName, string>>, string][])('%o → %s', (inputs, message) => {
    const url = inputs['flink-url'] ?? (inputs['ca-cert'] ? 'http://f:8081' : base['flink-url'])
    expect(problem({ ...base, ...inputs, 'flink-url': url })).toBe(message)
  })
})

describe('secretsOf', () => {
  it('lists every form of every secret and skips PEM markers and short PEM lines', () => {
    const secrets = secretsOf(
      reader({
        token: 'tok-123',
        username: 'me',
        password: 'pw-456',
        headers: 'X-Api-Key: k-789\nAuthorization: Bearer b-000',
        'client-key': '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\nRw==\n-----END PRIVATE KEY-----',
        'flink-config': 'pipeline.name=orders\ns3.secret-key=sk-1\nfs.azure.account.key.x=ak-2',
        'flink-url': 'https://u:url%20pw@f',
      }),
    )
    expect(secrets).toEqual([
      'tok-123',
      Buffer.from('tok-123').toString('base64'),
      'pw-456',
      Buffer.from('me:pw-456').toString('base64'),
      'k-789',
      'Bearer b-000',
      'b-000',
      'MIIEvQIBADANBgkq',
      'url pw',
      'url%20pw',
      'sk-1',
      'ak-2',
    ])
  })
})

describe('secretsOf, notifications', () => {
  it('masks the notify secret and each webhook URL (a Slack path is a credential)', () => {
    const secrets = secretsOf(
      reader({
        notify: 'https://hooks.slack.com/services/T0/B0/XYZ\nhttps://ci.example.com/h',
        'notify-secret': 'whsec-1',
      }),
    )
    expect(secrets).toEqual([
      'whsec-1',
      'https://hooks.slack.com/services/T0/B0/XYZ',
      'https://ci.example.com/h',
    ])
  })
})

describe('the target cluster of a move', () => {
  it('gives the target its own client options, and the upgrade its local-directory switch', () => {
    const parsed = parse({
      ...base,
      'to-flink-url': 'https://flink-2.example.com',
      'to-username': 'deployer',
      'to-password': 'pw-target-1',
      'to-headers': 'X-Tenant: blue',
      'allow-local-savepoint-dir': 'true',
    })
    expect(parsed.targetCluster).toEqual({
      baseUrl: 'https://flink-2.example.com',
      auth: { type: 'basic', username: 'deployer', password: 'pw-target-1' },
      headers: { 'X-Tenant': 'blue' },
      tls: undefined,
    })
    expect(parsed.client).toMatchObject({ baseUrl: base['flink-url'], auth: undefined })
    expect(parsed.upgrade?.allowLocalSavepointDir).toBe(true)
    expect(parse(base).targetCluster).toBeUndefined()
  })

  it('unreachable-timeout-ms is the outage budget of both clusters; a bad value is refused', () => {
    const parsed = parse({
      ...base,
      'to-flink-url': 'https://flink-2.example.com',
      'unreachable-timeout-ms': '90000',
    })
    expect(parsed.client.timeouts).toEqual({ unreachableMs: 90_000 })
    expect(parsed.targetCluster?.timeouts).toEqual({ unreachableMs: 90_000 })
    expect(parse(base).client.timeouts).toBeUndefined()
    expect(problem({ ...base, 'unreachable-timeout-ms': '2m' })).toMatch(
      /unreachable-timeout-ms: expected a whole number/,
    )
  })

  it.each([
    [{ 'to-token': 't' }, 'Input to-token: needs to-flink-url, the cluster the job moves to'],
    [
      { 'to-flink-url': 'https://f2', 'to-token': 't', 'to-password': 'p' },
      'Input to-token: give to-token or to-username and to-password, not both',
    ],
    [{ 'to-flink-url': 'https://f2', 'to-username': 'u' }, 'Input to-password: required with to-username'],
    [
      { 'to-flink-url': 'http://f2', 'to-ca-cert': '-----BEGIN CERTIFICATE-----\nabc' },
      'Input to-ca-cert: TLS settings need an https to-flink-url',
    ],
    [
      { 'to-flink-url': 'https://user:pw@f2' },
      'Input to-flink-url: credentials in the URL are not accepted; use the token or username and password inputs',
    ],
    [
      { manifest: 'flink-deploy.yaml', 'job-name': '', jar: '', 'to-flink-url': 'https://f2' },
      'Input to-flink-url: moves one job; it does not go with manifest',
    ],
  ] as [Partial<Record<InputName, string>>, string][])('%o → %s', (inputs, message) => {
    expect(problem({ ...base, ...inputs })).toBe(message)
  })

  it("masks the target's secrets like blue's", () => {
    const secrets = secretsOf(
      reader({
        ...base,
        'to-flink-url': 'https://f2',
        'to-token': 'target-token-77',
        'to-headers': 'Authorization: Bearer hdr-secret-9',
      }),
    )
    expect(secrets).toEqual(
      expect.arrayContaining([
        'target-token-77',
        Buffer.from('target-token-77').toString('base64'),
        'Bearer hdr-secret-9',
        'hdr-secret-9',
      ]),
    )
  })
})
