/**
 * What a move between Flink versions means for the job, in the words of Flink's own upgrade documentation
 * (ops/upgrading, and the 2.0 release notes for 1.x to 2.x). Flink restores a savepoint only in its own or a
 * later minor version, so a move to an older one is refused.
 */
import type { FlinkVersion } from '../client/version.ts'

export interface VersionChange {
  /** What the user must know, shown in the plan and as warnings. */
  notes: string[]
  /** Set when the move cannot work. */
  refusal?: string
}

const TO_2X = [
  'Flink 2.0 moved from Kryo 2 to Kryo 5: state Flink serialised with Kryo in 1.x (generic types, not POJOs or Flink types) does not restore in 2.x',
  'Flink 2.x serialises Java collections (List, Map, Set) with its own serialisers: such state that 1.x wrote with Kryo does not restore',
  "Flink 2.x removed the DataSet and Scala APIs, SourceFunction/SinkFunction and the legacy state backend classes: green's jar must be built against 2.x",
  'Flink 2.x renamed or removed many configuration keys (e.g. state.savepoints.dir is execution.checkpointing.savepoint-dir): check the flinkConfiguration given to green',
]

export function versionChange(from: FlinkVersion, to: FlinkVersion): VersionChange {
  const change = `Flink ${from.raw} to ${to.raw}`
  if (compareMinor(to, from) < 0) {
    return {
      notes: [],
      refusal: `the target runs Flink ${to.raw}, older than blue's ${from.raw}: Flink restores savepoints only in the same or a later version`,
    }
  }
  if (from.major < 2 && to.major >= 2) {
    return {
      notes: [
        `${change}: a savepoint of 1.x restores in 2.x only if its state has no Kryo-serialised parts`,
        ...TO_2X,
      ],
    }
  }
  if (compareMinor(to, from) > 0)
    return {
      notes: [`${change}: Flink restores savepoints of earlier versions; build green against ${to.raw}`],
    }
  return { notes: [] }
}

/** Patch releases of one minor version read each other's savepoints both ways: only major and minor count. */
function compareMinor(a: FlinkVersion, b: FlinkVersion): number {
  return a.major - b.major || a.minor - b.minor
}
