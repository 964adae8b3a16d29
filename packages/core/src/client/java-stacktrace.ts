/** Reading the Java stack traces Flink returns (job exceptions, failure causes) for a one-line message. */

export function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? ''
}

/** The innermost `Caused by:` of a Java stack trace, if there is one. */
export function rootCause(stacktrace: string): string | undefined {
  const causes = stacktrace.split('\n').filter((l) => l.startsWith('Caused by: '))
  return causes.at(-1)?.slice('Caused by: '.length).trim()
}

/** What went wrong in one line: the innermost cause, else the first line (which says only where it failed). */
export function innermostCause(stacktrace: string): string | undefined {
  return rootCause(stacktrace) || firstLine(stacktrace) || undefined
}
