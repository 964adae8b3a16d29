/**
 * A job of the run that is alive, as the result reports it. Flink says RUNNING as soon as it has scheduled
 * a job, while its subtasks may still wait for slots (a TaskManager lost, a full cluster): such a job
 * processes nothing, so "running" here means every subtask runs.
 */
import type { JobStatus } from '../client/schemas/common.ts'
import type { JobOverview } from '../client/schemas/jobs.ts'
import { fullyRunning } from '../verify/job-overview.ts'

export interface RunningJob {
  role: 'blue' | 'green' | 'blue-restarted'
  jobId: string
  state: JobStatus
  cluster: string
  /** Subtasks in state RUNNING, of all the job's subtasks (from GET /jobs/overview, read fresh). */
  tasks: { running: number; total: number }
  /** The job is RUNNING and so is every one of its subtasks. */
  subtasksRunning: boolean
}

export function runningFacts(entry: JobOverview): Pick<RunningJob, 'state' | 'tasks' | 'subtasksRunning'> {
  return {
    state: entry.state,
    tasks: { running: entry.tasks.running ?? 0, total: entry.tasks.total ?? 0 },
    subtasksRunning: fullyRunning(entry),
  }
}

/** The job's state, and for a job RUNNING whose subtasks wait: "RUNNING but 0 of 2 subtasks run". */
export function describeJobState(job: Pick<RunningJob, 'state' | 'tasks' | 'subtasksRunning'>): string {
  if (job.subtasksRunning || job.state !== 'RUNNING') return job.state
  return `${job.state} but ${job.tasks.running} of ${job.tasks.total} subtasks run`
}
