import { defineRoutes } from '../route.ts'
import {
  CheckpointConfig,
  CheckpointDetails,
  CheckpointingStatistics,
  CheckpointStatus,
  CheckpointTriggerRequest,
  TaskCheckpointStats,
} from '../schemas/checkpoints.ts'
import { TriggerResponse } from '../schemas/common.ts'

export const checkpointRoutes = defineRoutes({
  'GET /jobs/:jobid/checkpoints': {
    name: 'statistics',
    summary: 'Checkpoint counts, latest completed/savepoint/failed/restored, and history.',
    response: CheckpointingStatistics,
    retry: 'always',
  },
  'GET /jobs/:jobid/checkpoints/config': {
    name: 'config',
    summary: 'Checkpointing configuration of the job.',
    response: CheckpointConfig,
    retry: 'always',
  },
  'GET /jobs/:jobid/checkpoints/details/:checkpointid': {
    name: 'details',
    summary: 'Statistics of one checkpoint.',
    response: CheckpointDetails,
    retry: 'always',
  },
  'GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid': {
    name: 'subtaskDetails',
    summary: 'Per-subtask statistics of one checkpoint for one vertex.',
    response: TaskCheckpointStats,
    retry: 'always',
  },
  'POST /jobs/:jobid/checkpoints': {
    name: 'trigger',
    summary: 'Triggers a checkpoint (Flink 1.17+).',
    body: CheckpointTriggerRequest,
    response: TriggerResponse,
    retry: 'with-key',
  },
  'GET /jobs/:jobid/checkpoints/:triggerid': {
    name: 'triggerStatus',
    summary: 'Status of a triggered checkpoint: its id or failure cause.',
    response: CheckpointStatus,
    retry: 'always',
  },
})
