/**
 * The fake's hand-over gate (packages/flink-gate's GateFunction): a job run with flink-deploy.handover.path and
 * .colour (or the Kafka job's --handover-path / --colour) has a `handover-gate` operator in its counter's chain
 * that reports the gate's metrics. Records carry event time = wall-clock time, the watermark trails by
 * WATERMARK_LAG_MS, and the gate decides (and re-reads a `file:` object) each time its metrics are read: the
 * rule, the role (old when the object's `from` is the gate's colour, absent meaning blue) and the adoption are
 * the library's, so the tool's side of the protocol meets the same answers.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const LONG_MIN = '-9223372036854775808'
const WATERMARK_LAG_MS = 200

type Colour = 'blue' | 'green'

interface Adopted {
  version: number
  from: Colour
  cutoverMillis?: number
  greenPasses: boolean
}

export class FakeGate {
  readonly path: string
  readonly colour: Colour
  /** A slow reader: the gate keeps deciding with what it adopted and does not look at the object. */
  holdAdoption = false
  /** A source without event time: the gate's watermark stays Long.MIN_VALUE. */
  watermarks = true
  /** The next T is adopted only after a record at or past it was decided without it (cutoverLate). */
  adoptLate = false
  /** Gate subtasks whose input is idle (watermark status IDLE): no records, a watermark that stands still. */
  idleSubtasks: number[] = []
  /** Gate subtasks that get no records and no watermark, yet are not marked idle (a source subtask without a split). */
  silentSubtasks: number[] = []
  /** A gate library from before roles: no `role` or `inputIdle` metric. */
  legacy = false
  #adopted: Adopted = { version: 0, from: 'blue', greenPasses: false }
  #maxPassed = Number.MIN_SAFE_INTEGER
  #maxDropped = Number.MIN_SAFE_INTEGER
  #watermark: number | undefined
  #late = false
  #waiting = false
  #passed = 0
  #dropped = 0

  constructor(path: string, colour: Colour) {
    this.path = path
    this.colour = colour
  }

  /** The gate config of a job's configuration or of the Kafka job's arguments, as the job reads it. */
  static of(configuration: Readonly<Record<string, string>>, args: readonly string[]): FakeGate | undefined {
    const arg = (name: string) => {
      const i = args.indexOf(`--${name}`)
      return i >= 0 ? args[i + 1] : undefined
    }
    const path = arg('handover-path') ?? configuration['flink-deploy.handover.path']
    const colour = arg('colour') ?? configuration['flink-deploy.handover.colour']
    if (!path || (colour !== 'blue' && colour !== 'green')) return undefined
    return new FakeGate(path, colour)
  }

  /** The records since the last look: adopt the object as the task thread would, then decide the newest record. */
  tick(now: number, running: boolean): void {
    if (!running) return
    if (!this.holdAdoption) this.#adopt(this.#read())
    const { cutoverMillis: t, greenPasses } = this.#adopted
    const old = this.#role() === 'old'
    if (t === undefined) {
      if (old) this.#pass(now)
      else this.#drop(now)
    } else if (old) {
      if (now < t) this.#pass(now)
      else {
        this.#pass(Math.min(now, t - 1), false)
        this.#drop(now)
      }
    } else if (now < t) this.#drop(now)
    else if (greenPasses) this.#pass(now)
    else this.#waiting = true
    // A waiting green holds its task thread: its watermark stands still.
    if (!this.#waiting || greenPasses) {
      this.#waiting = this.#waiting && !greenPasses
      this.#watermark = now - WATERMARK_LAG_MS
    }
  }

  metrics(subtask = 0): Record<string, string> {
    const { cutoverMillis: t, greenPasses, version } = this.#adopted
    const role = this.#role()
    const state =
      t === undefined
        ? role === 'old'
          ? 'passing'
          : 'standby'
        : role === 'new' && greenPasses
          ? 'green-passing'
          : 'cutover-known'
    const scope = 'handover-gate.handover'
    const values: Record<string, string> = {
      state,
      colour: this.colour,
      role,
      inputIdle: this.idleSubtasks.includes(subtask) ? '1' : '0',
      cutoverSeen: t === undefined ? '0' : '1',
      cutoverMillis: String(t ?? -1),
      version: String(version),
      watermark:
        this.watermarks && this.#watermark !== undefined && !this.silentSubtasks.includes(subtask)
          ? String(this.#watermark)
          : LONG_MIN,
      maxPassedMillis: String(this.#maxPassed),
      maxDroppedMillis: String(this.#maxDropped),
      cutoverLate: this.#late ? '1' : '0',
      waiting: this.#waiting ? '1' : '0',
      recordsPassed: String(this.#passed),
      recordsDropped: String(this.#dropped),
      readFailures: '0',
    }
    if (this.legacy) {
      delete values.role
      delete values.inputIdle
    }
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${scope}.${k}`, v]))
  }

  #role(adopted: Adopted = this.#adopted): 'old' | 'new' {
    return adopted.from === this.colour ? 'old' : 'new'
  }

  #pass(ts: number, count = true): void {
    this.#maxPassed = Math.max(this.#maxPassed, ts)
    if (count) this.#passed++
  }

  #drop(ts: number): void {
    this.#maxDropped = Math.max(this.#maxDropped, ts)
    this.#dropped++
  }

  #read(): Adopted | undefined {
    if (!this.path.startsWith('file:')) return undefined
    try {
      const o = JSON.parse(readFileSync(fileURLToPath(this.path), 'utf8')) as Partial<Adopted>
      return {
        version: o.version ?? 0,
        from: o.from ?? 'blue',
        cutoverMillis: o.cutoverMillis,
        greenPasses: o.greenPasses === true,
      }
    } catch {
      return undefined // no object yet, or a failed read: the last good one stays
    }
  }

  #adopt(next: Adopted | undefined): void {
    if (!next) return
    const previous = this.#adopted
    const blind = this.#role(next) === 'old' ? this.#maxPassed : this.#maxDropped
    const newCutover = next.cutoverMillis !== undefined && next.cutoverMillis !== previous.cutoverMillis
    const newHandover = previous.cutoverMillis === undefined || previous.from !== next.from
    if (newCutover && this.adoptLate && blind < next.cutoverMillis!) return
    if (next.cutoverMillis === undefined) this.#late = false
    else if (newCutover || newHandover) {
      this.adoptLate = false
      this.#late = newHandover && blind >= next.cutoverMillis
    }
    this.#adopted = next
  }
}
