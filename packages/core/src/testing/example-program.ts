/**
 * The fake's default program: what examples/flink-job (dev.flinkdeploy.example.StatefulCounterJob) does on a
 * real cluster, so the same tests pass against the fake and against real Flink. Vertex names and ids, metric
 * ids and the meaning of the program arguments are those of the real job (checked by test/contract).
 */
import type { JavaException } from './java-errors.ts'

export const EXAMPLE_ENTRY_CLASS = 'dev.flinkdeploy.example.StatefulCounterJob'

/** JobVertexIDs are hashes of the operator uids: the same on Flink 1.20 and 2.x. */
export const EXAMPLE_VERTICES = {
  source: { name: 'Source: events', id: '5267f531634cea3174af2885d1dddf09', description: 'Source: events' },
  counter: {
    name: 'counter -> discard: Writer',
    id: '0da08f51eaa85fc298e176a139b3649a',
    description: 'counter<br/>+- discard: Writer<br/>',
  },
  /** `--topology incompatible`: the stateful operator's uid is `counter-incompatible`. */
  incompatibleCounter: {
    name: 'counter -> discard: Writer',
    id: '10511434f9a075bdc50734dda93f466a',
    description: 'counter<br/>+- discard: Writer<br/>',
  },
} as const

/** Metric group of the stateful operator: `<subtask>.counter.stateCount` on the vertex. */
export const EXAMPLE_METRIC_SCOPE = 'counter'

export interface ExampleArgs {
  release: 'v1' | 'v2'
  /** events per second */
  rate: number
  failAfterSeconds: number
  topology: 'compatible' | 'incompatible'
  restartAttempts: number | undefined
  name: string
  /** `--async-state`: the counter's keyed state is on Flink 2.x's async state API, which refuses canonical savepoints. */
  asyncState: boolean
}

/**
 * Parses the program arguments like StatefulCounterJob.parseArgs (`--key value` or `--key=value`); throws the
 * IllegalArgumentException main() throws, which Flink answers with 400 "Could not execute application.".
 */
export function parseExampleArgs(args: readonly string[]): ExampleArgs {
  const params = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (!a.startsWith('--')) throw illegalArgument(`Unexpected argument: ${a}`)
    const key = a.slice(2)
    const eq = key.indexOf('=')
    if (eq >= 0) params.set(key.slice(0, eq), key.slice(eq + 1))
    else {
      // A flag without a value reads as "true", as in the Java job.
      const value = args[i + 1]
      if (value === undefined || value.startsWith('--')) params.set(key, 'true')
      else {
        params.set(key, value)
        i++
      }
    }
  }
  const release = params.get('release') ?? 'v1'
  if (release !== 'v1' && release !== 'v2')
    throw illegalArgument(`--release must be v1 or v2, got: ${release}`)
  const topology = params.get('topology') ?? 'compatible'
  if (topology !== 'compatible' && topology !== 'incompatible')
    throw illegalArgument(`--topology must be compatible or incompatible, got: ${topology}`)
  const attempts = params.get('restart-attempts')
  return {
    release,
    rate: Number(params.get('rate') ?? '50'),
    failAfterSeconds: Number(params.get('fail-after') ?? '0'),
    topology,
    restartAttempts: attempts === undefined ? undefined : Number(attempts),
    name: params.get('name') ?? `flink-deploy-example ${release}`,
    asyncState: params.has('async-state'),
  }
}

/** The exception `--fail-after` throws in the counter task. */
export function simulatedBadRelease(args: ExampleArgs): JavaException {
  return {
    className: 'java.lang.IllegalStateException',
    message: `Simulated bad release ${args.release}: failing after ${args.failAfterSeconds}s (--fail-after)`,
  }
}

/** main()'s IllegalArgumentException; `className` tells the fake what to report. */
export class ProgramArgumentError extends Error {
  readonly className = 'java.lang.IllegalArgumentException'
}

function illegalArgument(message: string): ProgramArgumentError {
  return new ProgramArgumentError(message)
}
