import { defineRoutes } from '../route.ts'
import { TriggerResponse } from '../schemas/common.ts'
import {
  OperationStatus,
  SavepointDisposalRequest,
  SavepointStatus,
  SavepointTriggerRequest,
  StopWithSavepointRequest,
} from '../schemas/savepoints.ts'

export const savepointRoutes = defineRoutes({
  'POST /jobs/:jobid/savepoints': {
    name: 'trigger',
    summary: 'Triggers a savepoint; the job keeps running unless cancel-job is set.',
    body: SavepointTriggerRequest,
    response: TriggerResponse,
    retry: 'with-key',
  },
  'GET /jobs/:jobid/savepoints/:triggerid': {
    name: 'status',
    summary: 'Status of a savepoint or stop-with-savepoint: its location or failure cause.',
    response: SavepointStatus,
    retry: 'always',
  },
  'POST /jobs/:jobid/stop': {
    name: 'stop',
    summary: 'Stops the job with a savepoint; it ends FINISHED when the savepoint succeeded.',
    body: StopWithSavepointRequest,
    response: TriggerResponse,
    retry: 'with-key',
  },
  'POST /savepoint-disposal': {
    name: 'dispose',
    summary: 'Deletes a savepoint and its files.',
    body: SavepointDisposalRequest,
    response: TriggerResponse,
    // Flink takes no trigger id here, so a repeat would be a second disposal request.
    retry: 'never',
  },
  'GET /savepoint-disposal/:triggerid': {
    name: 'disposalStatus',
    summary: 'Status of a savepoint disposal.',
    response: OperationStatus,
    retry: 'always',
  },
})
