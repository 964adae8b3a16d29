import { checkpointRoutes } from './checkpoints.ts'
import { testRouteGroup } from './route-test-kit.ts'

const JOB = '7d793037a0760186574b0282f2f435e7'
const VERTEX = '90bea66de1c231edf33913ecd54406c1'
const TRIGGER = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'

const completed = {
  className: 'completed',
  id: 12,
  status: 'COMPLETED',
  is_savepoint: false,
  savepointFormat: null,
  trigger_timestamp: 1764288050000,
  latest_ack_timestamp: 1764288050120,
  checkpointed_size: 4096,
  state_size: 4096,
  end_to_end_duration: 120,
  alignment_buffered: 0,
  processed_data: 0,
  persisted_data: 0,
  num_subtasks: 4,
  num_acknowledged_subtasks: 4,
  checkpoint_type: 'CHECKPOINT',
  tasks: {},
  external_path: 'file:/data/checkpoints/7d79/chk-12',
  discarded: false,
}

testRouteGroup('checkpoints', checkpointRoutes, [
  {
    key: 'GET /jobs/:jobid/checkpoints',
    args: { jobid: JOB },
    path: `/jobs/${JOB}/checkpoints`,
    response: {
      counts: { restored: 1, total: 12, in_progress: 0, completed: 12, failed: 0 },
      summary: {
        state_size: {
          min: 4096,
          max: 4096,
          avg: 4096,
          p50: 4096,
          p90: 4096,
          p95: 4096,
          p99: 4096,
          p999: 4096,
        },
      },
      latest: {
        completed,
        savepoint: null,
        failed: null,
        restored: {
          id: 11,
          restore_timestamp: 1764288000400,
          is_savepoint: true,
          external_path: 'file:/data/savepoints/savepoint-b1e2f3-0a1b2c3d4e5f',
        },
      },
      history: [completed],
    },
  },
  {
    key: 'GET /jobs/:jobid/checkpoints/config',
    args: { jobid: JOB },
    path: `/jobs/${JOB}/checkpoints/config`,
    response: {
      mode: 'exactly_once',
      interval: 2000,
      timeout: 600000,
      min_pause: 0,
      max_concurrent: 1,
      externalization: { enabled: true, delete_on_cancellation: false },
      state_backend: 'HashMapStateBackend',
      checkpoint_storage: 'FileSystemCheckpointStorage',
      unaligned_checkpoints: false,
      tolerable_failed_checkpoints: 0,
      aligned_checkpoint_timeout: 0,
      checkpoints_after_tasks_finish: true,
      state_changelog_enabled: false,
    },
  },
  {
    key: 'GET /jobs/:jobid/checkpoints/details/:checkpointid',
    args: { jobid: JOB, checkpointid: 12 },
    path: `/jobs/${JOB}/checkpoints/details/12`,
    response: completed,
  },
  {
    key: 'GET /jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid',
    args: { jobid: JOB, checkpointid: 12, vertexid: VERTEX },
    path: `/jobs/${JOB}/checkpoints/details/12/subtasks/${VERTEX}`,
    response: {
      id: 12,
      status: 'COMPLETED',
      latest_ack_timestamp: 1764288050120,
      checkpointed_size: 2048,
      state_size: 2048,
      end_to_end_duration: 120,
      num_subtasks: 2,
      num_acknowledged_subtasks: 2,
      summary: {},
      subtasks: [
        { index: 0, status: 'completed', ack_timestamp: 1764288050110 },
        { index: 1, status: 'completed', ack_timestamp: 1764288050120 },
      ],
    },
  },
  {
    key: 'POST /jobs/:jobid/checkpoints',
    args: { jobid: JOB, body: { checkpointType: 'FULL', triggerId: TRIGGER } },
    path: `/jobs/${JOB}/checkpoints`,
    sentBody: { checkpointType: 'FULL', triggerId: TRIGGER },
    status: 202,
    response: { 'request-id': TRIGGER },
  },
  {
    key: 'GET /jobs/:jobid/checkpoints/:triggerid',
    args: { jobid: JOB, triggerid: TRIGGER },
    path: `/jobs/${JOB}/checkpoints/${TRIGGER}`,
    response: { status: { id: 'COMPLETED' }, operation: { checkpointId: 13 } },
  },
])
