import * as z from 'zod'
import { asyncResult, FailureCause, Hex32 } from './common.ts'

export const SavepointFormat = z.enum(['CANONICAL', 'NATIVE'])

/** POST /jobs/:jobid/savepoints takes kebab-case fields... */
export const SavepointTriggerRequest = z
  .strictObject({
    'target-directory': z.string().min(1).optional(),
    'cancel-job': z.boolean().optional(),
    formatType: SavepointFormat.optional(),
    triggerId: Hex32.optional(),
  })
  .optional()

/** ...while POST /jobs/:jobid/stop takes camelCase ones. */
export const StopWithSavepointRequest = z
  .strictObject({
    targetDirectory: z.string().min(1).optional(),
    drain: z.boolean().optional(),
    formatType: SavepointFormat.optional(),
    triggerId: Hex32.optional(),
  })
  .optional()

/** Exactly one of `location` and `failure-cause` is present once the operation completed. */
export const SavepointInfo = z.looseObject({
  location: z.string().optional(),
  'failure-cause': FailureCause.optional(),
})

export const SavepointStatus = asyncResult(SavepointInfo)
export type SavepointStatus = z.infer<typeof SavepointStatus>

export const SavepointDisposalRequest = z.strictObject({ 'savepoint-path': z.string().min(1) })

export const OperationInfo = z.looseObject({ 'failure-cause': FailureCause.nullish() })
export const OperationStatus = asyncResult(OperationInfo)
