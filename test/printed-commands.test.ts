/** The check behind the setup file: it finds the commands in printed text, and refuses what the CLI refuses. */
import { describe, expect, it } from 'vitest'
import { printedCommands, refusedCommands, shellWords } from './support/printed-commands.ts'

describe('printed commands', () => {
  it('finds hints in backticks, after a colon, with optional parts and continuations', () => {
    const text = [
      'run `flink-deploy unlock --state-store s3://b/p --job-name orders`)',
      'Continue the run with: flink-deploy resume --state-file .flink-deploy/orders.json',
      '  flink-deploy reject --job-name orders [--reason "..."]',
      'flink-deploy upgrade --job-name orders --json | jq .',
      'this flink-deploy reads formatVersion 2',
    ].join('\n')
    expect(printedCommands(text)).toEqual([
      'flink-deploy unlock --state-store s3://b/p --job-name orders',
      'flink-deploy resume --state-file .flink-deploy/orders.json',
      'flink-deploy reject --job-name orders',
      'flink-deploy upgrade --job-name orders --json',
    ])
  })

  it("splits words as a shell does (the recovery hint's quoting)", () => {
    expect(shellWords(`flink-deploy upgrade --arg 'it'\\''s' --arg "a \\"b\\"" x\\ y`)).toEqual([
      'flink-deploy',
      'upgrade',
      '--arg',
      "it's",
      '--arg',
      'a "b"',
      'x y',
    ])
  })

  it('refuses what the CLI refuses: an unknown flag, a missing value', () => {
    const refused = refusedCommands([
      'To recover: flink-deploy upgrade --job-id 0123456789abcdef0123456789abcdef --jar a.jar --savepoint-format native',
      'flink-deploy upgrade --job-name x --savepoint-fromat native',
      'flink-deploy promote --state-file',
    ])
    expect(refused).toHaveLength(2)
    expect(refused[0]).toContain('unknown option --savepoint-fromat')
    expect(refused[1]).toContain('--state-file: expected a value')
  })
})
