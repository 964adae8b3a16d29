import * as z from 'zod'
import { asyncResult } from './common.ts'
import { OperationInfo } from './savepoints.ts'

/** Cluster partitions (cached intermediate results) kept on the TaskManagers. */
export const ClusterDataSetList = z.looseObject({
  dataSets: z.array(
    z.looseObject({
      /** IntermediateDataSetID as 32 hex characters. */
      id: z.string(),
      /** Whether every partition of the data set is still available. */
      isComplete: z.boolean(),
    }),
  ),
})
export type ClusterDataSetList = z.infer<typeof ClusterDataSetList>

/** `operation` is `{"failure-cause": null}` on success and null while the deletion runs. */
export const ClusterDataSetDeleteStatus = asyncResult(OperationInfo)
export type ClusterDataSetDeleteStatus = z.infer<typeof ClusterDataSetDeleteStatus>
