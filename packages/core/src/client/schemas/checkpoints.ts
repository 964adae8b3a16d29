import * as z from 'zod'
import { asyncResult, FailureCause, Hex32 } from './common.ts'

const CheckpointCounts = z.looseObject({
  restored: z.number(),
  total: z.number(),
  in_progress: z.number(),
  completed: z.number(),
  failed: z.number(),
})

export const CheckpointStats = z.looseObject({
  className: z.enum(['completed', 'failed', 'in_progress']).optional(),
  id: z.number(),
  status: z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']),
  is_savepoint: z.boolean(),
  trigger_timestamp: z.number(),
  latest_ack_timestamp: z.number(),
  state_size: z.number().optional(),
  checkpointed_size: z.number().optional(),
  end_to_end_duration: z.number(),
  num_subtasks: z.number(),
  num_acknowledged_subtasks: z.number(),
  checkpoint_type: z.string().optional(),
  external_path: z.string().nullish(),
  discarded: z.boolean().optional(),
  failure_timestamp: z.number().optional(),
  failure_message: z.string().nullish(),
  tasks: z.record(z.string(), z.unknown()).optional(),
})
export type CheckpointStats = z.infer<typeof CheckpointStats>

/** Which checkpoint or savepoint the job last restored from: how an upgrade proves green took blue's state. */
export const RestoredCheckpoint = z.looseObject({
  id: z.number(),
  restore_timestamp: z.number(),
  is_savepoint: z.boolean(),
  external_path: z.string().nullish(),
})
export type RestoredCheckpoint = z.infer<typeof RestoredCheckpoint>

export const CheckpointingStatistics = z.looseObject({
  counts: CheckpointCounts,
  summary: z.record(z.string(), z.unknown()).optional(),
  latest: z.looseObject({
    completed: CheckpointStats.nullish(),
    savepoint: CheckpointStats.nullish(),
    failed: CheckpointStats.nullish(),
    restored: RestoredCheckpoint.nullish(),
  }),
  history: z.array(CheckpointStats),
})
export type CheckpointingStatistics = z.infer<typeof CheckpointingStatistics>

export const CheckpointConfig = z.looseObject({
  mode: z.string(),
  interval: z.number(),
  timeout: z.number(),
  min_pause: z.number(),
  max_concurrent: z.number(),
  externalization: z.looseObject({ enabled: z.boolean(), delete_on_cancellation: z.boolean() }),
  state_backend: z.string().optional(),
  checkpoint_storage: z.string().optional(),
  unaligned_checkpoints: z.boolean().optional(),
  tolerable_failed_checkpoints: z.number().optional(),
})

export const CheckpointDetails = CheckpointStats

export const TaskCheckpointStats = z.looseObject({
  id: z.number(),
  status: z.string(),
  latest_ack_timestamp: z.number(),
  num_subtasks: z.number(),
  num_acknowledged_subtasks: z.number(),
  summary: z.record(z.string(), z.unknown()).optional(),
  subtasks: z.array(z.looseObject({ index: z.number(), status: z.string() })),
})

export const CheckpointTriggerRequest = z
  .strictObject({
    // INCREMENTAL is rejected by Flink (FLINK-33723), so it is not offered.
    checkpointType: z.enum(['CONFIGURED', 'FULL']).optional(),
    triggerId: Hex32.optional(),
  })
  .optional()

/** The checkpoint status route answers camelCase, unlike the savepoint one. */
export const CheckpointStatus = asyncResult(
  z.looseObject({ checkpointId: z.number().nullish(), failureCause: FailureCause.nullish() }),
)
