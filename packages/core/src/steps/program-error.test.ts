import { describe, expect, it } from 'vitest'
import { FlinkApiError, ReleaseStartFailedError } from '../errors.ts'
import { asReleaseStartError, programError } from './program-error.ts'

/** Flink 2.3.0's answer to POST /jars/:jarid/run when the example job's main() throws (shortened frames). */
const RUN_ANSWER = [
  'org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.',
  '\tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:114)',
  'Caused by: java.util.concurrent.CompletionException: org.apache.flink.util.FlinkRuntimeException: Could not execute application.',
  '\tat java.base/java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:315)',
  'Caused by: org.apache.flink.util.FlinkRuntimeException: Could not execute application.',
  'Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: --release must be v1 or v2, got: v3',
  '\tat org.apache.flink.client.program.PackagedProgram.callMainMethod(PackagedProgram.java:376)',
  'Caused by: java.lang.IllegalArgumentException: --release must be v1 or v2, got: v3',
  '\tat dev.flinkdeploy.example.StatefulCounterJob.main(StatefulCounterJob.java:75)',
  '\t... 8 more',
].join('\n')

const refused = (status: number, errors: string[]) =>
  new FlinkApiError({ status, method: 'POST', path: '/jars/x_job.jar/run', errors })

describe("a release's own error", () => {
  it("is the innermost cause of Flink's answer", () => {
    expect(programError(refused(400, [RUN_ANSWER]))).toBe(
      'java.lang.IllegalArgumentException: --release must be v1 or v2, got: v3',
    )
  })

  it('falls back to the ProgramInvocationException message when Flink sends no causes', () => {
    const error = refused(400, [
      'org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: missing --input',
    ])
    expect(programError(error)).toBe('missing --input')
  })

  it('becomes a one-line ReleaseStartFailedError that keeps the whole answer as its cause', () => {
    const original = refused(400, [RUN_ANSWER])
    const error = asReleaseStartError(original, 'x_job.jar')
    expect(error).toBeInstanceOf(ReleaseStartFailedError)
    expect((error as ReleaseStartFailedError).message).toBe(
      'The release in jar x_job.jar did not start: java.lang.IllegalArgumentException: --release must be v1 or v2, got: v3',
    )
    expect((error as ReleaseStartFailedError).cause).toBe(original)
  })

  it('leaves errors that are not a refused program alone', () => {
    const missingJar = refused(404, ['Jar file /tmp/x_job.jar does not exist'])
    expect(asReleaseStartError(missingJar, 'x_job.jar')).toBe(missingJar)
    const overloaded = refused(503, ['Service temporarily unavailable'])
    expect(asReleaseStartError(overloaded, 'x_job.jar')).toBe(overloaded)
    const network = new Error('ECONNRESET')
    expect(asReleaseStartError(network, 'x_job.jar')).toBe(network)
  })
})
