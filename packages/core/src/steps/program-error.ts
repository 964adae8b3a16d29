/**
 * What Flink says when it cannot run a program. The answer to POST /jars/:jarid/run (400) or /plan (500) is a
 * chain of Java exceptions: "Could not execute application." wrapping a ProgramInvocationException wrapping
 * the program's own exception. A person needs that last one: "--release must be v1 or v2", a missing entry
 * class, an argument Flink refused.
 */
import { FlinkApiError, ReleaseStartFailedError } from '../errors.ts'

const MAIN_FAILED = 'The main method caused an error: '

/** The program's own exception from Flink's answer, or undefined when it names none. */
export function programError(error: FlinkApiError): string | undefined {
  const causes = error.errors.flatMap((e) =>
    e
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('Caused by: '))
      .map((l) => l.slice('Caused by: '.length)),
  )
  const innermost = causes.at(-1)
  if (innermost) return innermost
  // Flink 1.x answers some refusals with the ProgramInvocationException alone.
  const line = error.errors.flatMap((e) => e.split('\n')).find((l) => l.includes(MAIN_FAILED))
  return line ? line.slice(line.indexOf(MAIN_FAILED) + MAIN_FAILED.length).trim() : undefined
}

/** A refused run or plan as a ReleaseStartFailedError naming the program's cause; other errors unchanged. */
export function asReleaseStartError(error: unknown, jarId: string): unknown {
  if (!(error instanceof FlinkApiError) || error.status < 400 || error.status === 404) return error
  if (error.status >= 500 && !error.errors.some((e) => e.includes('ProgramInvocationException'))) return error
  const cause = programError(error)
  return cause ? new ReleaseStartFailedError({ jarId, programError: cause, cause: error }) : error
}
