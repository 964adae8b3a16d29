/**
 * Asynchronous Flink operations as single awaited calls: trigger, then wait for the result. Where Flink
 * accepts a client trigger id (savepoint, stop, checkpoint) one is always sent, so a retried trigger can
 * never start a second savepoint; callers that must survive a crash pass their own, persisted beforehand.
 */

import { FlinkApiError, FlinkUnsupportedError } from '../errors.ts'
import {
  type AwaitOptions,
  awaitOperation,
  type CompletedOperation,
  newTriggerId,
  runAsyncOperation,
} from './async-operation.ts'
import type { FlinkClient } from './flink-client.ts'
import type { ClaimMode } from './schemas/jars.ts'

type Request = FlinkClient['request']

export interface SavepointOptions extends AwaitOptions {
  /** Where Flink writes the savepoint; defaults to the cluster's execution.checkpointing.savepoint-dir. */
  targetDirectory?: string
  formatType?: 'CANONICAL' | 'NATIVE'
  /** Client-chosen id (32 lowercase hex). Persist it before calling to be able to resume. */
  triggerId?: string
}

export interface StopOptions extends SavepointOptions {
  /** Emit MAX_WATERMARK and flush event-time timers before stopping (TERMINATE instead of SUSPEND). */
  drain?: boolean
}

export interface SavepointResult {
  triggerId: string
  location: string
  durationMs: number
}

export type { ClaimMode }

export function createOperations(request: Request) {
  const savepointStatus = (jobid: string) => (triggerid: string) =>
    request('GET /jobs/:jobid/savepoints/:triggerid', { jobid, triggerid, signal: undefined })

  return {
    /** Takes a savepoint while the job keeps running. */
    async savepoint(jobid: string, options: SavepointOptions = {}): Promise<SavepointResult> {
      const triggerId = options.triggerId ?? newTriggerId()
      const done = await runAsyncOperation(
        {
          name: `savepoint of job ${jobid}`,
          trigger: () =>
            request('POST /jobs/:jobid/savepoints', {
              jobid,
              signal: options.signal,
              body: {
                'target-directory': options.targetDirectory,
                formatType: options.formatType,
                triggerId,
              },
            }),
          status: savepointStatus(jobid),
        },
        options,
      )
      return savepointResult(done)
    },

    /** Stops the job with a savepoint; on success the job ends FINISHED and the savepoint holds its state. */
    async stopWithSavepoint(jobid: string, options: StopOptions = {}): Promise<SavepointResult> {
      const triggerId = options.triggerId ?? newTriggerId()
      const done = await runAsyncOperation(
        {
          name: `stop-with-savepoint of job ${jobid}`,
          trigger: () =>
            request('POST /jobs/:jobid/stop', {
              jobid,
              signal: options.signal,
              body: {
                targetDirectory: options.targetDirectory,
                formatType: options.formatType,
                drain: options.drain,
                triggerId,
              },
            }),
          status: savepointStatus(jobid),
        },
        options,
      )
      return savepointResult(done)
    },

    /** Waits for a savepoint or stop triggered earlier, e.g. by a process that died. */
    async awaitSavepoint(jobid: string, triggerId: string, options: AwaitOptions = {}): Promise<string> {
      const result = await awaitOperation(
        `savepoint ${triggerId} of job ${jobid}`,
        triggerId,
        () => savepointStatus(jobid)(triggerId),
        options,
      )
      return requireLocation(result, triggerId)
    },

    /** Triggers a checkpoint and returns its id. */
    async checkpoint(
      jobid: string,
      options: AwaitOptions & { checkpointType?: 'CONFIGURED' | 'FULL'; triggerId?: string } = {},
    ): Promise<{ triggerId: string; checkpointId: number; durationMs: number }> {
      const triggerId = options.triggerId ?? newTriggerId()
      const done = await runAsyncOperation(
        {
          name: `checkpoint of job ${jobid}`,
          trigger: () =>
            request('POST /jobs/:jobid/checkpoints', {
              jobid,
              signal: options.signal,
              body: { checkpointType: options.checkpointType, triggerId },
            }),
          status: (triggerid) => request('GET /jobs/:jobid/checkpoints/:triggerid', { jobid, triggerid }),
        },
        options,
      )
      return {
        triggerId: done.triggerId,
        checkpointId: done.result.checkpointId ?? -1,
        durationMs: done.durationMs,
      }
    },

    /** Rescales a running job. Current Flink releases disable this and answer with an error. */
    async rescale(
      jobid: string,
      parallelism: number,
      options: AwaitOptions = {},
    ): Promise<{ triggerId: string }> {
      const done = await runAsyncOperation(
        {
          name: `rescaling of job ${jobid}`,
          trigger: () =>
            request('PATCH /jobs/:jobid/rescaling', {
              jobid,
              query: { parallelism },
              signal: options.signal,
            }).catch(rescalingDisabled),
          status: (triggerid) => request('GET /jobs/:jobid/rescaling/:triggerid', { jobid, triggerid }),
        },
        options,
      )
      return { triggerId: done.triggerId }
    },

    /** Deletes a savepoint's files through the cluster. */
    async disposeSavepoint(
      savepointPath: string,
      options: AwaitOptions = {},
    ): Promise<{ triggerId: string }> {
      const done = await runAsyncOperation(
        {
          name: `disposal of savepoint ${savepointPath}`,
          trigger: () =>
            request('POST /savepoint-disposal', {
              body: { 'savepoint-path': savepointPath },
              signal: options.signal,
            }),
          status: (triggerid) => request('GET /savepoint-disposal/:triggerid', { triggerid }),
        },
        options,
      )
      return { triggerId: done.triggerId }
    },

    /** Deletes a cluster data set (an intermediate result kept by batch jobs). */
    async deleteDataset(datasetid: string, options: AwaitOptions = {}): Promise<{ triggerId: string }> {
      const done = await runAsyncOperation(
        {
          name: `deletion of data set ${datasetid}`,
          trigger: () => request('DELETE /datasets/:datasetid', { datasetid, signal: options.signal }),
          status: (triggerid) => request('GET /datasets/delete/:triggerid', { triggerid }),
        },
        options,
      )
      return { triggerId: done.triggerId }
    },
  }
}

/** Flink 1.x and 2.x keep this route but answer 503 "Rescaling is temporarily disabled" (FLINK-12312). */
function rescalingDisabled(error: unknown): never {
  if (
    error instanceof FlinkApiError &&
    error.errors.some((e) => e.includes('Rescaling is temporarily disabled'))
  ) {
    throw new FlinkUnsupportedError(
      'Rescaling a running job is disabled in Flink (FLINK-12312); upgrade the job with a new parallelism instead, ' +
        'or use the adaptive scheduler and PUT /jobs/:jobid/resource-requirements',
    )
  }
  throw error
}

function savepointResult(done: CompletedOperation<{ location?: string }>): SavepointResult {
  return {
    triggerId: done.triggerId,
    location: requireLocation(done.result, done.triggerId),
    durationMs: done.durationMs,
  }
}

function requireLocation(result: { location?: string }, triggerId: string): string {
  if (!result.location)
    throw new TypeError(`savepoint ${triggerId} completed without a location or failure cause`)
  return result.location
}
