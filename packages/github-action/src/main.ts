/**
 * The Action: reads and validates its inputs (secrets masked first), runs deploy, promote, reject or resume
 * through @flink-deploy/core with one log group per step, then writes the outputs, the job summary and, when
 * the release did not go out, an error annotation that says what runs now and how to recover.
 * `run()` never throws: every failure ends in `setFailed`.
 */
import * as core from '@actions/core'
import {
  createFlinkClient,
  type FlinkClient,
  formatResult,
  isFlinkDeployError,
  openStateStore,
  promote,
  type RunStorage,
  reject,
  resume,
  startTracing,
  type Tracing,
  type UpgradeResult,
  type UpgradeRuntime,
  upgrade,
} from '@flink-deploy/core'
import { applyManifest } from './fleet.ts'
import { type ActionInputs, type InputName, parseInputs, secretsOf } from './inputs.ts'
import {
  currentJobId,
  FAILED_OUTCOMES,
  type RunFacts,
  recoveryMessage,
  renderSummary,
  runInputs,
  StepLog,
} from './report.ts'

const readInput = (name: InputName) => core.getInput(name)

export async function run(): Promise<void> {
  let client: FlinkClient | undefined
  let target: FlinkClient | undefined
  let storage: RunStorage | undefined
  let tracing: Tracing | undefined
  const controller = new AbortController()
  const cancel = (signal: NodeJS.Signals) => {
    core.warning(`${signal} received: stopping at the next safe point`, { title: 'flink-deploy cancelled' })
    controller.abort()
  }
  process.on('SIGINT', cancel)
  process.on('SIGTERM', cancel)
  try {
    // Before anything else is logged: every form of every secret is masked.
    for (const secret of secretsOf(readInput)) core.setSecret(secret)
    const inputs = parseInputs(readInput)
    client = createFlinkClient({ ...inputs.client, onWarning: (message) => core.warning(message) })
    target =
      inputs.targetCluster &&
      createFlinkClient({
        ...inputs.targetCluster,
        onWarning: (message) => core.warning(`target: ${message}`),
      })
    core.info(describe(inputs))
    // Off unless the step's env sets OTEL_* variables; then the SDK is loaded and the run's spans exported.
    tracing = await startTracing({}, (message) => core.warning(message))
    if (inputs.manifest) {
      await applyManifest(core, inputs, client, controller.signal, tracing)
      return
    }
    storage = inputs.stateStore ? await openSharedStore(inputs) : undefined
    const steps = new StepLog(core)
    const traced = tracing?.run({
      command: inputs.action === 'deploy' ? 'upgrade' : inputs.action,
      job: inputs.target,
      cluster: client.url,
      ...(target ? { targetCluster: target.url } : {}),
      ...(inputs.upgrade ? { strategy: inputs.upgrade.strategy ?? 'stop-and-restart' } : {}),
    })
    const runtime: UpgradeRuntime = {
      client,
      ...(target ? { target } : {}),
      ...(storage ? { storage } : { stateFile: inputs.stateFile! }),
      owner: inputs.lockOwner,
      ...(inputs.notify ? { notify: inputs.notify } : {}),
      signal: controller.signal,
      onEvent: (event) => {
        steps.onEvent(event)
        traced?.onEvent(event)
      },
      // The step's start, so the reported total is what the workflow waited.
      startedAt: performance.timeOrigin,
    }
    let result: UpgradeResult
    try {
      result = await execute(inputs, runtime)
      traced?.end({ result })
    } catch (error) {
      traced?.end({ error })
      throw error
    } finally {
      steps.close()
    }
    await report(result, inputs)
  } catch (error) {
    core.setFailed(messageOf(error))
  } finally {
    process.off('SIGINT', cancel)
    process.off('SIGTERM', cancel)
    await Promise.all([client?.close(), target?.close()]).catch(() => undefined)
    await storage?.close().catch(() => undefined)
    await tracing?.shutdown()
  }
}

/** The run's state, lock and release records in the shared store, checked before anything is sent to Flink. */
function openSharedStore(inputs: ActionInputs): Promise<RunStorage> {
  const flags = `--state-store ${inputs.stateStore} --job-name ${inputs.target}`
  return openStateStore(inputs.stateStore!, {
    job: inputs.target,
    argument: 'state-store',
    ...(inputs.leaseMs ? { leaseMs: inputs.leaseMs } : {}),
    unlockHint: `wait until its lease expires, or run \`flink-deploy unlock ${flags}\``,
  })
}

function execute(inputs: ActionInputs, runtime: UpgradeRuntime): Promise<UpgradeResult> {
  switch (inputs.action) {
    case 'deploy':
      return upgrade(inputs.upgrade!, runtime)
    case 'promote':
      return promote(runtime)
    case 'reject':
      return reject(runtime, inputs.rejectReason)
    case 'resume':
      return resume(runtime)
  }
}

function describe(inputs: ActionInputs): string {
  const u = inputs.upgrade
  const what =
    inputs.action === 'deploy' && u
      ? `deploy ${u.jar} as job ${inputs.target} (${u.strategy ?? 'stop-and-restart'}${u.dryRun ? ', dry run' : ''})`
      : `${inputs.action} the run of ${inputs.target}`
  const state = inputs.stateStore ? `state store ${inputs.stateStore}` : `state file ${inputs.stateFile}`
  const where = inputs.targetCluster
    ? `${inputs.flinkUrl}, moving it to ${inputs.targetCluster.baseUrl}`
    : inputs.flinkUrl
  return `flink-deploy: ${what} on ${where}; ${state}`
}

async function report(result: UpgradeResult, inputs: ActionInputs): Promise<void> {
  const facts: RunFacts = {
    action: inputs.action,
    target: inputs.target,
    ...(inputs.stateStore ? { stateStore: inputs.stateStore } : { stateFile: inputs.stateFile! }),
  }
  core.startGroup(`Result: ${result.outcome}`)
  core.info(formatResult(result))
  core.endGroup()

  const outputs: Record<string, string | undefined> = {
    outcome: result.outcome,
    'job-id': currentJobId(result),
    'previous-job-id': result.blueJobId,
    'savepoint-path': result.savepointPath,
    'jar-id': result.greenJarId,
    'flink-url': result.running.find((r) => r.jobId === currentJobId(result))?.cluster,
    'rolled-back': String(result.outcome === 'rolled-back'),
    'downtime-ms': result.downtimeMs === undefined ? undefined : String(Math.round(result.downtimeMs)),
    'estimated-downtime-ms':
      result.estimate === undefined || result.estimate.besideBlue
        ? undefined
        : String(result.estimate.downtimeMs),
    'duration-ms': String(Math.round(result.totalMs)),
    'state-file': inputs.stateFile,
    'state-store': inputs.stateStore,
  }
  for (const [name, value] of Object.entries(outputs)) if (value !== undefined) core.setOutput(name, value)

  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(renderSummary(result, facts)).write()
  }

  if (inputs.action === 'reject' && result.outcome === 'aborted-blue-untouched') {
    // Asked for: green is gone and blue runs untouched. Not a failure of this step.
    core.notice(result.summary, { title: 'flink-deploy: rejected' })
  } else if (FAILED_OUTCOMES.has(result.outcome)) {
    core.error(recoveryMessage(result, facts), { title: `flink-deploy: ${result.outcome}` })
    core.setFailed(
      result.outcome === 'failed-needs-attention'
        ? 'flink-deploy needs attention: see the annotation above and the job summary.'
        : `The release did not go out (${result.outcome}).`,
    )
  } else if (result.outcome === 'awaiting-promotion') {
    core.notice(
      `${result.summary} Run this action with action: promote (or reject) and ${runInputs(facts)}.`,
      { title: 'flink-deploy: awaiting promotion' },
    )
  } else if (result.outcome === 'upgraded') {
    core.notice(result.summary, { title: 'flink-deploy: upgraded' })
  } else {
    core.info(result.summary)
  }
}

function messageOf(error: unknown): string {
  if (isFlinkDeployError(error)) return `${error.message} (${error.code})`
  return error instanceof Error ? error.message : String(error)
}
