/**
 * Which savepoints a prune disposes of. Like the Flink Kubernetes operator's savepoint history: one goes
 * when it is not among the newest `keep`, or when it is older than `maxAgeMs`, whichever is given. What a
 * rollback or a stored run needs, and what flink-deploy cannot attribute to itself, always stays.
 */
import { InvalidArgumentError } from '../errors.ts'
import type { ListedSavepoint, Protection } from './savepoint-list.ts'

export interface RetentionRules {
  /** Keep the newest n savepoints flink-deploy took (protected ones count among them). */
  keep?: number
  /** Dispose of savepoints older than this. */
  maxAgeMs?: number
}

export type KeptBecause = Protection | 'within-keep' | 'within-max-age'

export interface Selection {
  prune: ListedSavepoint[]
  kept: { savepoint: ListedSavepoint; because: KeptBecause }[]
}

/** Bad rules are refused before anything is read or disposed of. */
export function checkRules(rules: RetentionRules): void {
  const { keep, maxAgeMs } = rules
  if (keep === undefined && maxAgeMs === undefined)
    throw new InvalidArgumentError('keep', 'give keep, maxAgeMs or both: which savepoints to keep')
  if (keep !== undefined && !(Number.isInteger(keep) && keep >= 0))
    throw new InvalidArgumentError('keep', `expected a whole number (0 or more), got ${keep}`)
  if (maxAgeMs !== undefined && !(Number.isFinite(maxAgeMs) && maxAgeMs > 0))
    throw new InvalidArgumentError('maxAgeMs', `expected a duration above 0 ms, got ${maxAgeMs}`)
}

/** `savepoints` newest first, as listSavepoints returns them. Pruned ones are neither kept nor pruned. */
export function selectForPruning(savepoints: readonly ListedSavepoint[], rules: RetentionRules): Selection {
  checkRules(rules)
  const selection: Selection = { prune: [], kept: [] }
  let rank = 0
  for (const s of savepoints) {
    if (s.state === 'pruned') continue
    const newer = s.kind === 'savepoint' ? rank++ : rank
    if (s.protectedBy) {
      selection.kept.push({ savepoint: s, because: s.protectedBy })
      continue
    }
    const beyondKeep = rules.keep !== undefined && newer >= rules.keep
    const tooOld = rules.maxAgeMs !== undefined && (s.ageMs ?? 0) > rules.maxAgeMs
    if (beyondKeep || tooOld) selection.prune.push(s)
    else
      selection.kept.push({
        savepoint: s,
        because: rules.keep !== undefined ? 'within-keep' : 'within-max-age',
      })
  }
  return selection
}
