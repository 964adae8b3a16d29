/**
 * How a release runs on Flink: the jar and everything given to POST /jars/:jarid/run. Kept for blue (so a
 * rollback can run it again) and for green, and persisted with the run.
 */
import * as z from 'zod'
import { Hex32 } from '../client/schemas/common.ts'

export const RunSettings = z.strictObject({
  /** Local path of the jar, when known (re-uploaded if the cluster lost it). */
  jarPath: z.string().min(1).optional(),
  /** SHA-256 of the jar content: the identity of a release, independent of file names. */
  jarSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  entryClass: z.string().min(1).optional(),
  programArgs: z.array(z.string()).default([]),
  parallelism: z.number().int().positive().optional(),
  flinkConfiguration: z.record(z.string(), z.string()).optional(),
})
export type RunSettings = z.infer<typeof RunSettings>

/** A job of a release running (or having run) on the cluster. */
export const JobRef = z.strictObject({
  jobId: Hex32,
  name: z.string(),
  settings: RunSettings.optional(),
})
export type JobRef = z.infer<typeof JobRef>
