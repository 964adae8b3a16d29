/** The example job's Kafka mode, as the Kafka tests, `./run demo:kafka` and the bench run it. */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Ledger } from '@flink-deploy/local-kafka'

/** Program arguments after `--name` and `--release`: Kafka in from `input`, exactly-once Kafka out to `output`. */
export function kafkaJobArgs(bootstrap: string, topics: { input: string; output: string }): string[] {
  return [
    '--source',
    'kafka',
    '--sink',
    'kafka',
    '--bootstrap',
    bootstrap,
    '--in',
    topics.input,
    '--out',
    topics.output,
  ]
}

/** Records per second the producer writes through an upgrade: enough to see a pause, little for 2 cores. */
export const KAFKA_RATE = 300

/** Waits until `release` has committed `min` output records. */
export async function committed(books: Ledger, release: string, min: number): Promise<void> {
  while (((await books.count()).releases[release]?.output ?? 0) < min) await sleep(500)
}
