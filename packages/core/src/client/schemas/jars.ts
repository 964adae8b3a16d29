import * as z from 'zod'
import { Hex32 } from './common.ts'

export const JarList = z.looseObject({
  address: z.string().optional(),
  files: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      uploaded: z.number(),
      entry: z.array(z.looseObject({ name: z.string(), description: z.string().nullish() })),
    }),
  ),
})
export type JarList = z.infer<typeof JarList>

export const JarUploadRequest = z.strictObject({ jarPath: z.string() })
export const JarUploadResponse = z.looseObject({ filename: z.string().min(1), status: z.literal('success') })

export const ClaimMode = z.enum(['CLAIM', 'NO_CLAIM', 'LEGACY'])
export type ClaimMode = z.infer<typeof ClaimMode>

const programFields = {
  entryClass: z.string().min(1).optional(),
  programArgsList: z.array(z.string()).optional(),
  /** Removed in Flink 2.0; the client refuses it there instead of letting Flink drop it silently. */
  programArgs: z.string().optional(),
  parallelism: z.number().int().positive().optional(),
  jobId: Hex32.optional(),
  flinkConfiguration: z.record(z.string(), z.string()).optional(),
}

export const JarPlanRequest = z
  .strictObject(programFields)
  .refine(
    (b) => !(b.programArgs !== undefined && b.programArgsList !== undefined),
    'give programArgs or programArgsList, not both',
  )
  .optional()

export const JarRunRequest = z
  .strictObject({
    ...programFields,
    savepointPath: z.string().min(1).optional(),
    allowNonRestoredState: z.boolean().optional(),
    claimMode: ClaimMode.optional(),
    restoreMode: ClaimMode.optional(),
  })
  .refine(
    (b) => !(b.programArgs !== undefined && b.programArgsList !== undefined),
    'give programArgs or programArgsList, not both',
  )
  .optional()
export type JarRunRequest = z.input<typeof JarRunRequest>

export const JarRunResponse = z.looseObject({ jobid: Hex32, applicationId: z.string().optional() })

export const JarPlanQuery = z
  .strictObject({
    'entry-class': z.string().min(1).optional(),
    parallelism: z.number().int().positive().optional(),
    programArg: z.array(z.string()).optional(),
  })
  .optional()
