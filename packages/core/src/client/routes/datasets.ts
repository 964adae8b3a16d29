import { defineRoutes } from '../route.ts'
import { TriggerResponse } from '../schemas/common.ts'
import { ClusterDataSetDeleteStatus, ClusterDataSetList } from '../schemas/datasets.ts'

export const datasetRoutes = defineRoutes({
  'GET /datasets': {
    name: 'list',
    summary: 'Cluster data sets (cached intermediate results) and whether they are complete.',
    response: ClusterDataSetList,
    retry: 'always',
  },
  'DELETE /datasets/:datasetid': {
    name: 'delete',
    summary: 'Starts deleting a cluster data set; poll deleteStatus with the returned request-id.',
    response: TriggerResponse,
    // Flink takes no client trigger id here, so a repeat would start a second deletion.
    retry: 'never',
  },
  'GET /datasets/delete/:triggerid': {
    name: 'deleteStatus',
    summary: 'Status of a cluster data set deletion.',
    response: ClusterDataSetDeleteStatus,
    retry: 'always',
  },
})
