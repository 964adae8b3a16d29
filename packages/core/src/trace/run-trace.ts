/**
 * A run as OpenTelemetry spans, built from the events the run reports: one span for the run, one per step
 * (child of the run), one per verification check (child of the step it ran in), span events for the moments
 * a person looks for (savepoint taken, job submitted, rollback started, warnings). It only listens: nothing
 * here can change what the run does, and a tracer that throws is ignored.
 *
 * Step spans stay open until the run ends, then end at the times the events gave: only then is it known which
 * step failed (the run's error names it), and an ended span cannot take an error status any more.
 */
import {
  type Attributes,
  type Context,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api'
import type { UpgradeEmitted } from '../machines/upgrade-setup.ts'
import { redact } from '../redact.ts'
import type { UpgradeResult } from '../upgrade/result.ts'

/** What a run is about, known before it starts. */
export interface RunTraceInfo {
  /** The command: upgrade, resume, promote, reject, apply. */
  command: string
  job?: string
  /** Blue's cluster (the Flink REST URL). */
  cluster?: string
  /** A move: green's cluster. */
  targetCluster?: string
  strategy?: string
}

export interface RunTrace {
  /** Give every event of the run; never throws. */
  onEvent(event: UpgradeEmitted): void
  /** Ends the run's spans with its result, or with the error that ended it without one. Never throws. */
  end(outcome: { result?: UpgradeResult; error?: unknown }): void
  /** A run inside this one (a job of `apply`). */
  child(info: RunTraceInfo): RunTrace
}

/** Attribute names, in one namespace so they are easy to filter on. */
export const ATTR = {
  command: 'flink_deploy.command',
  job: 'flink_deploy.job',
  cluster: 'flink_deploy.cluster',
  targetCluster: 'flink_deploy.target_cluster',
  strategy: 'flink_deploy.strategy',
  runId: 'flink_deploy.run_id',
  outcome: 'flink_deploy.outcome',
  savepointPath: 'flink_deploy.savepoint.path',
  downtimeMs: 'flink_deploy.downtime_ms',
  estimatedDowntimeMs: 'flink_deploy.estimated_downtime_ms',
  totalMs: 'flink_deploy.total_ms',
  blueJobId: 'flink_deploy.blue.job_id',
  greenJobId: 'flink_deploy.green.job_id',
  errorCode: 'flink_deploy.error.code',
  errorStep: 'flink_deploy.error.step',
  step: 'flink_deploy.step',
  durationMs: 'flink_deploy.duration_ms',
  check: 'flink_deploy.check',
  checkRole: 'flink_deploy.check.role',
  checkPassed: 'flink_deploy.check.passed',
  checkMessage: 'flink_deploy.check.message',
  checkEvidence: 'flink_deploy.check.evidence',
} as const

/** Outcomes where the release did not go out as asked: the run span's status is an error. */
const FAILED = new Set(['rolled-back', 'aborted-blue-untouched', 'failed-needs-attention'])

/** Evidence is for a person reading one span, not a data dump; Flink's answers can be long. */
const MAX_EVIDENCE = 2_000

interface OpenStep {
  step: string
  enteredAt: number
  span: Span
  context: Context
  leftAt?: number
}

export function traceRun(tracer: Tracer, info: RunTraceInfo, parent: Context): RunTrace {
  try {
    return spansOf(tracer, info, parent)
  } catch {
    return UNTRACED
  }
}

/** What a run gets when its span could not even start. */
const UNTRACED: RunTrace = { onEvent: () => {}, end: () => {}, child: () => UNTRACED }

function spansOf(tracer: Tracer, info: RunTraceInfo, parent: Context): RunTrace {
  const span = tracer.startSpan(`flink-deploy ${info.command}`, { attributes: infoAttributes(info) }, parent)
  const runContext = trace.setSpan(parent, span)
  const steps: OpenStep[] = []
  // The step a moment belongs to: the latest one entered by then (a step's results are reported as it is left).
  const stepAt = (at: number) => steps.findLast((s) => s.enteredAt <= at)
  const spanAt = (at: number) => stepAt(at)?.span ?? span
  let ended = false

  const handle = (event: UpgradeEmitted) => {
    switch (event.type) {
      case 'step-entered': {
        const stepSpan = tracer.startSpan(
          event.step,
          { startTime: event.at, attributes: { [ATTR.step]: event.step } },
          runContext,
        )
        steps.push({
          step: event.step,
          enteredAt: event.at,
          span: stepSpan,
          context: trace.setSpan(runContext, stepSpan),
        })
        return
      }
      case 'step-left': {
        const open = steps.findLast((s) => s.step === event.step && s.leftAt === undefined)
        if (!open) return
        open.leftAt = event.at
        open.span.setAttribute(ATTR.durationMs, event.durationMs)
        return
      }
      case 'check-result': {
        const r = event.result
        const checkSpan = tracer.startSpan(
          `check ${r.name}`,
          {
            startTime: r.startedAt,
            attributes: {
              [ATTR.check]: r.name,
              [ATTR.checkRole]: event.role,
              [ATTR.checkPassed]: r.passed,
              [ATTR.checkMessage]: redact(r.message),
              [ATTR.checkEvidence]: redact(JSON.stringify(r.evidence)).slice(0, MAX_EVIDENCE),
            },
          },
          stepAt(r.startedAt)?.context ?? runContext,
        )
        checkSpan.setStatus(
          r.passed ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: redact(r.message) },
        )
        checkSpan.end(r.startedAt + r.durationMs)
        return
      }
      case 'savepoint-taken':
        span.setAttribute(ATTR.savepointPath, event.location)
        spanAt(event.at).addEvent(
          'savepoint-taken',
          {
            'flink_deploy.savepoint.path': event.location,
            'flink_deploy.savepoint.kind': event.kind,
            'flink_deploy.savepoint.reconciled': event.reconciled,
            ...(event.format ? { 'flink_deploy.savepoint.format': event.format } : {}),
          },
          event.at,
        )
        return
      case 'job-submitted':
        spanAt(event.at).addEvent(
          'job-submitted',
          {
            'flink_deploy.role': event.role,
            'flink_deploy.job_id': event.jobId,
          },
          event.at,
        )
        return
      case 'blue-settled':
        spanAt(event.at).addEvent(
          'blue-settled',
          {
            'flink_deploy.blue.condition': event.blue.condition,
            'flink_deploy.blue.state': event.blue.state,
            'flink_deploy.blue.failures': event.blue.failures,
          },
          event.at,
        )
        return
      case 'rollback-started':
        span.addEvent(
          'rollback-started',
          {
            'flink_deploy.rollback.reason': redact(event.reason),
            'flink_deploy.rollback.first_deployment': event.firstDeployment,
          },
          event.at,
        )
        return
      case 'warning':
        spanAt(event.at).addEvent(
          'warning',
          {
            'flink_deploy.message': redact(event.message),
          },
          event.at,
        )
        return
      // Progress is polled every second of a long savepoint or restore: hundreds of events that say less than
      // the step's own duration. Left out.
      case 'savepoint-progress':
      case 'restore-progress':
        return
    }
  }

  const finish = ({ result, error }: { result?: UpgradeResult; error?: unknown }) => {
    const failure = result?.error ?? (error === undefined ? undefined : errorOf(error))
    const end = result?.timeline.endedAt ?? Date.now()
    if (failure) {
      const failing = steps.findLast((s) => s.step === failure.step)
      if (failing) markError(failing.span, failure.code, failure.message)
    }
    for (const s of steps) s.span.end(s.leftAt ?? end)
    if (result) span.setAttributes(resultAttributes(result))
    if (failure) span.setAttribute(ATTR.errorStep, failure.step)
    if (failure && (result === undefined || FAILED.has(result.outcome)))
      markError(span, failure.code, failure.message)
    else if (result && FAILED.has(result.outcome))
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.outcome })
    else if (failure) span.setAttribute(ATTR.errorCode, failure.code)
    else span.setStatus({ code: SpanStatusCode.OK })
    span.end()
  }

  return {
    onEvent(event) {
      if (ended) return
      guarded(() => handle(event))
    },
    end(outcome) {
      if (ended) return
      ended = true
      guarded(() => finish(outcome))
    },
    child(childInfo) {
      return traceRun(tracer, childInfo, runContext)
    },
  }
}

/** A tracer that throws (a full queue, a bug in an exporter) costs the trace, never the run. */
function guarded(f: () => void): void {
  try {
    f()
  } catch {
    // the run's own output says what happened; the trace is best effort
  }
}

function markError(span: Span, code: string, message: string): void {
  span.setAttribute(ATTR.errorCode, code)
  span.setAttribute('error.type', code)
  span.setStatus({ code: SpanStatusCode.ERROR, message: redact(message) })
}

/** An error thrown, or an `{ code, message }` a caller reports (a job of `apply` that failed without a result). */
function errorOf(error: unknown): { step: string; code: string; message: string } {
  const { code, message } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown
    message?: unknown
  }
  return {
    step: 'run',
    code: typeof code === 'string' ? code : 'UNEXPECTED',
    message: typeof message === 'string' ? message : String(error),
  }
}

function infoAttributes(info: RunTraceInfo): Attributes {
  const out: Attributes = { [ATTR.command]: info.command }
  if (info.job !== undefined) out[ATTR.job] = info.job
  if (info.cluster !== undefined) out[ATTR.cluster] = redact(info.cluster)
  if (info.targetCluster !== undefined) out[ATTR.targetCluster] = redact(info.targetCluster)
  if (info.strategy !== undefined) out[ATTR.strategy] = info.strategy
  return out
}

function resultAttributes(result: UpgradeResult): Attributes {
  const out: Attributes = {
    [ATTR.outcome]: result.outcome,
    [ATTR.runId]: result.runId,
    [ATTR.strategy]: result.strategy,
    [ATTR.totalMs]: Math.round(result.totalMs),
  }
  if (result.savepointPath !== undefined) out[ATTR.savepointPath] = result.savepointPath
  if (result.downtimeMs !== undefined) out[ATTR.downtimeMs] = Math.round(result.downtimeMs)
  if (result.estimate && !result.estimate.besideBlue)
    out[ATTR.estimatedDowntimeMs] = result.estimate.downtimeMs
  if (result.blueJobId !== undefined) out[ATTR.blueJobId] = result.blueJobId
  if (result.greenJobId !== undefined) out[ATTR.greenJobId] = result.greenJobId
  if (result.clusters) {
    out[ATTR.cluster] = redact(result.clusters.blue)
    out[ATTR.targetCluster] = redact(result.clusters.green)
  }
  return out
}
