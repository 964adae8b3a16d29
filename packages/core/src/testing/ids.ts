/** Identifiers shaped like Flink's: 32 lowercase hex for JobID/TriggerId/JobVertexID, uuids for jars. */
import { createHash, randomBytes, randomUUID } from 'node:crypto'

/** A random 32-hex id (JobID, TriggerId, ...). */
export function randomHex32(): string {
  return randomBytes(16).toString('hex')
}

/** `n` random lowercase hex characters. */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n)
}

/** A 32-hex id derived from `seed`, so the same operator gets the same JobVertexID in every job (like a uid hash). */
export function stableHex32(seed: string): string {
  return createHash('md5').update(seed).digest('hex')
}

export function uuid(): string {
  return randomUUID()
}

export const HEX32 = /^[0-9a-f]{32}$/
