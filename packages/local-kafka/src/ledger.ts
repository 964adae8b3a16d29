/**
 * The output ledger: a producer writing sequence numbers at a steady rate into the input topic, and a reader of
 * the input and of the committed output (read_committed) that says which input records are missing from the
 * output and which appear more than once. The clients are Kafka's own (java/Ledger.java, compiled once).
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  exec,
  jdkBinary,
  lastLines,
  spawnWatched,
  stopProcess,
  withFileLock,
} from '@flink-deploy/local-process'
import { resolveKafkaClasspath } from './classpath.ts'
import { CACHE_DIR, LEDGER_SOURCE } from './paths.ts'

/** What the committed output holds, compared with the input. */
export interface LedgerCounts {
  /** records in the input topic */
  input: number
  /** committed records in the output topic */
  output: number
  /** input records with no output record */
  missing: number
  /** output records beyond the first for the same input record */
  duplicated: number
  /** the longest gap between consecutive committed output records (broker append time) inside the window asked for */
  outputPauseMs: number
  /** when that gap began: the append time of the record before it (epoch ms; 0 when there is no gap) */
  outputPauseAt: number
  /**
   * per release (the job's --release): output records and duplicates it committed, and the append times of its
   * first and last committed record (epoch ms): from one release's last to the next one's first is the switch
   */
  releases: Record<string, { output: number; duplicated: number; firstAt: number; lastAt: number }>
}

export interface Producer {
  /** Stops producing, waits until every record sent is acknowledged, and returns how many were produced. */
  stop(): Promise<number>
}

export interface Ledger {
  bootstrap: string
  input: string
  output: string
  /** Creates both topics (the output with LogAppendTime); topics that exist are fine. */
  createTopics(partitions?: number): Promise<void>
  /** Produces "seq,eventTime" into the input topic at `rate` records/s from seq 0. */
  startProducer(rate: number, logFile: string): Promise<Producer>
  /** Writes `lines` ("seq,eventTime,release,key,count") to the output topic as the job does: to check the ledger itself. */
  writeOutput(lines: string[]): Promise<void>
  /** Reads both topics to their ends once. `window` bounds the output pause (epoch ms). */
  count(window?: { from?: number; to?: number }): Promise<LedgerCounts>
  /**
   * Counts until no input record is missing from the committed output (the job commits on checkpoints) or
   * `timeoutMs` passes, and returns the last count.
   */
  settle(options?: { timeoutMs?: number; window?: { from?: number; to?: number } }): Promise<LedgerCounts>
}

export function ledger(bootstrap: string, topics: { input: string; output: string }): Ledger {
  const run = async (args: string[]) => {
    const res = await exec(
      jdkBinary('java'),
      ['-cp', await ledgerClasspath(), 'Ledger', ...args, '--bootstrap', bootstrap],
      { timeoutMs: 120_000 },
    )
    if (res.code !== 0)
      throw new Error(
        `Ledger ${args[0]} failed (exit ${res.code ?? res.signal}):\n${lastLines(res.output, 30)}`,
      )
    return res.stdout
  }
  const count = async (window: { from?: number; to?: number } = {}): Promise<LedgerCounts> => {
    const bounds = Object.entries(window).flatMap(([k, v]) => (v === undefined ? [] : [`--${k}`, String(v)]))
    const out = await run(['count', '--in', topics.input, '--out', topics.output, ...bounds])
    return JSON.parse(out.trim().split('\n').at(-1) ?? '') as LedgerCounts
  }
  return {
    bootstrap,
    ...topics,
    async createTopics(partitions = 2) {
      await run(['topics', '--in', topics.input, '--out', topics.output, '--partitions', String(partitions)])
    },
    async startProducer(rate, logFile) {
      const proc = spawnWatched({
        name: 'ledger producer',
        command: jdkBinary('java'),
        args: [
          '-cp',
          await ledgerClasspath(),
          'Ledger',
          'produce',
          '--topic',
          topics.input,
          '--rate',
          String(rate),
          '--bootstrap',
          bootstrap,
        ],
        outFile: logFile,
      })
      return {
        async stop() {
          await stopProcess(proc, { graceMs: 30_000 })
          const produced = /^produced (\d+)$/m.exec(await readFile(logFile, 'utf8'))
          if (!produced)
            throw new Error(
              `The ledger producer did not report what it produced:\n${await readFile(logFile, 'utf8')}`,
            )
          return Number(produced[1])
        },
      }
    },
    async writeOutput(lines) {
      await run(['write', '--topic', topics.output, '--records', lines.join('|')])
    },
    count,
    async settle(options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 60_000)
      for (;;) {
        const counts = await count(options.window)
        if (counts.missing === 0 || Date.now() > deadline) return counts
        await new Promise((r) => setTimeout(r, 1000))
      }
    },
  }
}

let compiled: Promise<string> | undefined

/** The ledger's classes (compiled once per source version into .cache/ledger/<hash>) and the Kafka clients. */
function ledgerClasspath(): Promise<string> {
  compiled ??= (async () => {
    const jars = (await resolveKafkaClasspath()).join(':')
    const source = await readFile(LEDGER_SOURCE)
    const dir = join(CACHE_DIR, 'ledger', createHash('sha256').update(source).digest('hex').slice(0, 16))
    await mkdir(join(CACHE_DIR, 'ledger'), { recursive: true })
    await withFileLock(
      `${dir}.building`,
      async () => {
        if (
          await readFile(join(dir, 'Ledger.class')).then(
            () => true,
            () => false,
          )
        )
          return
        const tmp = `${dir}.${process.pid}.tmp`
        const res = await exec(jdkBinary('javac'), ['-d', tmp, '-cp', jars, LEDGER_SOURCE], {
          timeoutMs: 120_000,
        })
        if (res.code !== 0) {
          await rm(tmp, { recursive: true, force: true })
          throw new Error(`Compiling ${LEDGER_SOURCE} failed:\n${lastLines(res.output, 30)}`)
        }
        await rename(tmp, dir)
      },
      { timeoutMs: 120_000, what: 'the ledger build' },
    )
    return `${dir}:${jars}`
  })()
  return compiled
}
