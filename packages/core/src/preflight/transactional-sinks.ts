/**
 * Sinks that commit through transactions (Sink V2 two-phase commit: Kafka EXACTLY_ONCE, files, JDBC XA…) show a
 * `<sink name>: Committer` operator in the job's plan, on Flink 1.20 and 2.x alike. Blue-green starts green from
 * blue's savepoint while blue runs: green restores blue's sink state, so both hold the same transactional ids.
 * Green's producers fence blue's (blue's output stops or is aborted) and both commit their own copy of the
 * overlap; that is why blue-green refuses such a job unless the user accepts it.
 */

const COMMITTER = /^(.+): Committer$/

/** Names of the committing sinks among the plan's nodes (descriptions like `counter<br/>+- out: Writer<br/>   +- out: Committer<br/>`). */
export function transactionalSinks(nodes: readonly { description?: string }[]): string[] {
  const names = nodes.flatMap((n) =>
    (n.description ?? '')
      .split(/<br\s*\/?>| -> /i)
      .map((part) => part.replace(/^[\s+-]*/, '').trim())
      .flatMap((op) => COMMITTER.exec(op)?.[1] ?? []),
  )
  return [...new Set(names)]
}

/** What plain blue-green does to the output of a job with these sinks, for the refusal and the plan. */
export function blueGreenOnTransactionalSinks(sinks: readonly string[]): string {
  return (
    `green restores blue's state of the transactional sink${sinks.length > 1 ? 's' : ''} ${sinks.join(', ')}, ` +
    "and with it blue's transactional ids: green's producers fence blue's (blue's pending output is aborted, " +
    'blue may fail), and while both run each commits its own copy of the output, so committed output is ' +
    'lost or duplicated'
  )
}
