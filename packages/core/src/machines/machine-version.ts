/**
 * Stamped on every persisted run. Bump it when a change to the machines makes older snapshots unsafe to
 * resume (renamed states, changed context); a run persisted under another version is refused, not guessed.
 */
export const MACHINE_VERSION = 2
