/**
 * msw handlers that answer like a Flink JobManager's REST endpoint, over a FakeFlinkCluster. Paths are
 * relative (`/v1/jobs/:jobid`), so they serve any origin given as msw's `baseUrl`; each route is served both
 * under `/v1` and unversioned, as Flink does. Specific routes come before parameterised ones
 * (`/jobs/overview` before `/jobs/:jobid`, `/checkpoints/config` before `/checkpoints/:triggerid`).
 */
import { type HttpHandler, HttpResponse, http } from 'msw'
import type { FakeFlinkCluster, RunRequest } from './cluster-model.ts'
import { DEFAULT_ENTRY_CLASS } from './cluster-options.ts'
import type { FakeJob, FakeVertex } from './fake-job.ts'
import * as json from './flink-json.ts'
import { HEX32, randomHex32 } from './ids.ts'
import {
  badPathParameter,
  badRequestFormat,
  FlinkRestError,
  internalServerError,
  restHandlerError,
  stackTrace,
} from './java-errors.ts'

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

interface RouteContext {
  request: Request
  params: Record<string, string>
  query: URLSearchParams
}

interface Answer {
  status?: number
  body: unknown
}

const HEX_PARAMS = new Set(['jobid', 'vertexid', 'triggerid', 'datasetid'])
const INT_PARAMS = new Set(['checkpointid', 'subtaskindex', 'attempt'])

/** Flink's answer when no route matches. */
export function notFoundResponse(pathname: string): Response {
  return HttpResponse.json({ errors: [`Unable to load requested file ${pathname}.`] }, { status: 404 })
}

export function errorResponse(error: unknown): Response {
  const rest =
    error instanceof FlinkRestError
      ? error
      : internalServerError({
          className: 'java.lang.RuntimeException',
          message: error instanceof Error ? error.message : String(error),
        })
  return HttpResponse.json({ errors: rest.errors }, { status: rest.status, headers: rest.headers })
}

/** Creates the handlers of one fake cluster. */
export function createFlinkHandlers(cluster: FakeFlinkCluster): HttpHandler[] {
  const handlers: HttpHandler[] = []
  const route = (
    method: Method,
    template: string,
    answer: (ctx: RouteContext) => Answer | Promise<Answer>,
  ) => {
    for (const prefix of ['/v1', '']) {
      handlers.push(
        http[method](`${prefix}${template}`, async ({ request, params }) => {
          try {
            const strParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))
            for (const [name, value] of Object.entries(strParams)) {
              if (HEX_PARAMS.has(name) && !HEX32.test(value)) throw badPathParameter(name, value)
              if (INT_PARAMS.has(name) && !/^\d+$/.test(value)) throw badPathParameter(name, value)
            }
            const result = await answer({
              request,
              params: strParams,
              query: new URL(request.url).searchParams,
            })
            return HttpResponse.json(result.body as never, { status: result.status ?? 200 })
          } catch (error) {
            return errorResponse(error)
          }
        }),
      )
    }
  }
  const ok = (body: unknown, status = 200): Answer => ({ status, body })
  /**
   * A GET route Flink answers from one of its REST caches: the same answer for `restCacheMs` after the first.
   * Flink keeps one snapshot of the job for all such routes; here each path and query keeps its own answer,
   * which is as stale at most.
   */
  const answered = new Map<string, { at: number; answer: Answer }>()
  const cached = (template: string, answer: (ctx: RouteContext) => Answer) =>
    route('get', template, (ctx) => {
      const ttl = cluster.options.restCacheMs
      if (ttl <= 0) return answer(ctx)
      const url = new URL(ctx.request.url)
      const key = url.pathname.replace(/^\/v1(?=\/)/, '') + url.search
      const hit = answered.get(key)
      if (hit && Date.now() - hit.at < ttl) return hit.answer
      const fresh = answer(ctx)
      answered.set(key, { at: Date.now(), answer: fresh })
      return fresh
    })
  const job = (ctx: RouteContext) => cluster.requireJob(ctx.params.jobid!)
  const vertex = (ctx: RouteContext): { job: FakeJob; vertex: FakeVertex } => {
    const j = job(ctx)
    const v = j.vertices.find((x) => x.id === ctx.params.vertexid)
    if (!v) throw restHandlerError(404, `No vertex with ID '${ctx.params.vertexid}' exists.`)
    return { job: j, vertex: v }
  }
  const subtask = (ctx: RouteContext, v: FakeVertex): number => {
    const index = Number(ctx.params.subtaskindex)
    if (index >= v.parallelism) throw restHandlerError(404, `Invalid subtask index for vertex ${v.id}`)
    return index
  }
  const requireWebSubmit = () => {
    if (!cluster.options.webSubmit)
      throw new FlinkRestError(404, ['Not found: jar submission is disabled (web.submit.enable: false)'])
  }

  // ---- cluster ---------------------------------------------------------------------------------------------
  route('get', '/config', () => ok(json.dashboardConfig(cluster)))
  route('get', '/overview', () => ok(json.clusterOverview(cluster)))
  route('delete', '/cluster', () => {
    const t = setTimeout(() => {
      cluster.up = false
      cluster.dispose()
    }, 5)
    t.unref()
    return ok({})
  })

  // ---- jobmanager ------------------------------------------------------------------------------------------
  route('get', '/jobmanager/config', () => ok(json.configEntries(cluster.config())))
  route('get', '/jobmanager/environment', () => ok(json.environment()))
  route('get', '/jobmanager/logs', () => ok(json.logList('flink-jobmanager')))
  route('get', '/jobmanager/metrics', (ctx) =>
    ok(json.metricAnswer(json.jobManagerMetricValues(cluster), ctx.query.get('get'))),
  )
  route('get', '/jobmanager/thread-dump', () => ok(json.threadDump()))

  // ---- taskmanagers ----------------------------------------------------------------------------------------
  const taskManager = (ctx: RouteContext) => {
    const tm = cluster.taskManagers.find((t) => t.id === ctx.params.taskmanagerid)
    if (!tm)
      throw internalServerError({
        className: 'org.apache.flink.runtime.resourcemanager.exceptions.UnknownTaskExecutorException',
        message: `No TaskExecutor registered under ${ctx.params.taskmanagerid}.`,
      })
    return tm
  }
  route('get', '/taskmanagers', () =>
    ok({ taskmanagers: cluster.taskManagers.map((tm) => json.taskManagerInfo(cluster, tm)) }),
  )
  route('get', '/taskmanagers/metrics', (ctx) => {
    const ids = ctx.query.get('taskmanagers')?.split(',')
    const tms = cluster.taskManagers.filter((tm) => !ids || ids.includes(tm.id))
    return ok(
      json.aggregatedAnswer(
        tms.map((tm) => json.taskManagerMetricValues(cluster, tm)),
        ctx.query.get('get'),
        ctx.query.get('agg'),
      ),
    )
  })
  route('get', '/taskmanagers/:taskmanagerid', (ctx) =>
    ok(json.taskManagerDetails(cluster, taskManager(ctx))),
  )
  route('get', '/taskmanagers/:taskmanagerid/logs', (ctx) => {
    taskManager(ctx)
    return ok(json.logList('flink-taskexecutor'))
  })
  route('get', '/taskmanagers/:taskmanagerid/metrics', (ctx) =>
    ok(json.metricAnswer(json.taskManagerMetricValues(cluster, taskManager(ctx)), ctx.query.get('get'))),
  )
  route('get', '/taskmanagers/:taskmanagerid/thread-dump', (ctx) => {
    taskManager(ctx)
    return ok(json.threadDump())
  })

  // ---- jars ------------------------------------------------------------------------------------------------
  route('get', '/jars', (ctx) => {
    requireWebSubmit()
    return ok({
      address: new URL(ctx.request.url).origin,
      files: cluster.jars().map((jar) => ({
        id: jar.id,
        name: jar.name,
        uploaded: jar.uploaded,
        entry: [{ name: jar.program.entryClass ?? DEFAULT_ENTRY_CLASS, description: null }],
      })),
    })
  })
  route('post', '/jars/upload', async (ctx) => {
    requireWebSubmit()
    let form: FormData
    try {
      form = await ctx.request.formData()
    } catch {
      throw restHandlerError(400, 'Exactly 1 file must be sent, received 0.')
    }
    const files: File[] = []
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') {
        if (name !== 'request') throw restHandlerError(400, `Received unknown attribute ${name}.`)
      } else files.push(value)
    }
    if (files.length !== 1)
      throw restHandlerError(400, `Exactly 1 file must be sent, received ${files.length}.`)
    const file = files[0]!
    if (!file.name.endsWith('.jar')) throw restHandlerError(400, 'Only Jar files are allowed.')
    const jar = cluster.uploadJar(file.name, file.size)
    return ok({ filename: `${cluster.uploadDir}/${jar.id}`, status: 'success' })
  })
  route('delete', '/jars/:jarid', (ctx) => {
    requireWebSubmit()
    cluster.deleteJar(ctx.params.jarid!)
    return ok({})
  })
  const plan = async (ctx: RouteContext, withBody: boolean) => {
    requireWebSubmit()
    const body = withBody ? await readJson(ctx.request, 'JarPlanRequestBody') : {}
    const request = runRequest(cluster, body, ctx.query)
    const { name, vertices } = cluster.programPlan(ctx.params.jarid!, request)
    // Flink's plan has a fresh random job id unless the body fixes one.
    return ok(json.jobPlan({ id: request.jobId ?? randomHex32(), name, vertices }))
  }
  route('get', '/jars/:jarid/plan', (ctx) => plan(ctx, false))
  route('post', '/jars/:jarid/plan', (ctx) => plan(ctx, true))
  route('post', '/jars/:jarid/run', async (ctx) => {
    requireWebSubmit()
    const body = await readJson(ctx.request, 'JarRunRequestBody')
    const run = runRequest(cluster, body, ctx.query)
    const started = await cluster.runJarAndWait(ctx.params.jarid!, run)
    return ok(
      cluster.version.atLeast(2, 3)
        ? { jobid: started.id, applicationId: started.id }
        : { jobid: started.id },
    )
  })

  // ---- jobs (specific paths before /jobs/:jobid) ------------------------------------------------------------
  route('get', '/jobs', () => ok({ jobs: cluster.jobs().map((j) => ({ id: j.id, status: j.state })) }))
  route('post', '/jobs', async (ctx) => {
    const body = await readJson(ctx.request, 'JobSubmitRequestBody')
    const file = typeof body.jobGraphFileName === 'string' ? body.jobGraphFileName : null
    if (!file) throw restHandlerError(400, 'The jobGraphFileName field must not be omitted or be null.')
    // Only the multipart upload of a serialized JobGraph (ExecutionPlan on 2.x) brings the file.
    const kind = cluster.version.atLeast(2, 0) ? 'ExecutionPlan' : 'JobGraph'
    throw new FlinkRestError(400, [
      stackTrace({
        className: 'org.apache.flink.runtime.rest.handler.job.JobSubmitHandler$MissingFileException',
        message: `${kind} file ${file} could not be found on the server.`,
      }),
    ])
  })
  route('get', '/jobs/overview', () => ok({ jobs: cluster.jobs().map((j) => json.jobOverview(cluster, j)) }))
  route('get', '/jobs/metrics', (ctx) => {
    const ids = ctx.query.get('jobs')?.split(',')
    const jobs = cluster.jobs().filter((j) => !ids || ids.includes(j.id))
    return ok(
      json.aggregatedAnswer(
        jobs.map((j) => json.jobMetricValues(j)),
        ctx.query.get('get'),
        ctx.query.get('agg'),
      ),
    )
  })
  cached('/jobs/:jobid', (ctx) => ok(json.jobDetails(cluster, job(ctx))))
  route('patch', '/jobs/:jobid', (ctx) => {
    const mode = (ctx.query.get('mode') ?? 'cancel').toUpperCase()
    if (mode === 'STOP') {
      throw restHandlerError(
        308,
        'The termination mode "stop" has been removed. For an ungraceful shutdown, please use "cancel" instead. For a graceful shutdown, please use "jobs/:jobId/stop" instead.',
      )
    }
    if (mode !== 'CANCEL')
      throw new FlinkRestError(400, [
        `Bad request, could not parse parameters: Cannot resolve query parameter (mode) from value "${ctx.query.get('mode')}".`,
      ])
    cluster.cancelJob(ctx.params.jobid!)
    return ok({}, 202)
  })
  // Real Flink's JobStatusHandler does not map an unknown job to 404: it answers 500 FlinkJobNotFoundException.
  route('get', '/jobs/:jobid/status', (ctx) => {
    const found = cluster.jobs().find((j) => j.id === ctx.params.jobid)
    if (!found) {
      throw internalServerError({
        className: 'org.apache.flink.runtime.messages.FlinkJobNotFoundException',
        message: `Could not find Flink job (${ctx.params.jobid})`,
      })
    }
    return ok({ status: found.state })
  })
  cached('/jobs/:jobid/plan', (ctx) => ok(json.jobPlan(job(ctx))))
  cached('/jobs/:jobid/config', (ctx) => ok(json.jobConfig(cluster, job(ctx))))
  cached('/jobs/:jobid/accumulators', (ctx) =>
    ok(json.jobAccumulators(job(ctx), ctx.query.get('includeSerializedValue') === 'true')),
  )
  cached('/jobs/:jobid/exceptions', (ctx) => {
    const max = intQuery(ctx.query, 'maxExceptions') ?? 20
    return ok(json.jobExceptions(cluster, job(ctx), max))
  })
  route('get', '/jobs/:jobid/execution-result', (ctx) => ok(json.executionResult(cluster, job(ctx))))
  route('get', '/jobs/:jobid/metrics', (ctx) =>
    ok(json.metricAnswer(json.jobMetricValues(job(ctx)), ctx.query.get('get'))),
  )
  const rescalingDisabled = () =>
    new FlinkRestError(503, ['Rescaling is temporarily disabled. See FLINK-12312.'])
  route('patch', '/jobs/:jobid/rescaling', () => {
    throw rescalingDisabled()
  })
  route('get', '/jobs/:jobid/rescaling/:triggerid', () => {
    throw rescalingDisabled()
  })
  route('get', '/jobs/:jobid/resource-requirements', (ctx) =>
    ok(cluster.resourceRequirements(ctx.params.jobid!)),
  )
  route('put', '/jobs/:jobid/resource-requirements', async (ctx) => {
    const body = await readJson(ctx.request, 'JobResourceRequirementsBody')
    const parallelism: Record<string, number> = {}
    for (const [vid, req] of Object.entries(body)) {
      const upper = (req as { parallelism?: { upperBound?: unknown } })?.parallelism?.upperBound
      if (typeof upper !== 'number') throw badRequestFormat('JobResourceRequirementsBody')
      parallelism[vid] = upper
    }
    cluster.updateResourceRequirements(ctx.params.jobid!, parallelism)
    return ok({})
  })
  route('patch', '/jobs/:jobid/clientHeartbeat', (ctx) => {
    job(ctx)
    return ok({}, 202)
  })
  route('get', '/jobs/:jobid/jobmanager/config', (ctx) => {
    const j = job(ctx)
    return ok(
      json.configEntries({ ...cluster.config(), ...j.flinkConfiguration, '$internal.pipeline.job-id': j.id }),
    )
  })
  route('get', '/jobs/:jobid/jobmanager/environment', (ctx) => {
    job(ctx)
    return ok(json.environment())
  })

  // ---- savepoints and stop ---------------------------------------------------------------------------------
  route('post', '/jobs/:jobid/savepoints', async (ctx) => {
    const body = await readJson(ctx.request, 'SavepointTriggerRequestBody')
    const triggerId = cluster.triggerSavepoint(ctx.params.jobid!, {
      triggerId: triggerIdField(body, 'SavepointTriggerRequestBody'),
      targetDirectory: stringField(body, 'target-directory', 'SavepointTriggerRequestBody'),
      cancelJob: booleanField(body, 'cancel-job', 'SavepointTriggerRequestBody'),
      formatType: stringField(body, 'formatType', 'SavepointTriggerRequestBody'),
      stop: false,
      field: 'target-directory',
    })
    return ok({ 'request-id': triggerId }, 202)
  })
  route('post', '/jobs/:jobid/stop', async (ctx) => {
    const body = await readJson(ctx.request, 'StopWithSavepointRequestBody')
    const triggerId = cluster.triggerSavepoint(ctx.params.jobid!, {
      triggerId: triggerIdField(body, 'StopWithSavepointRequestBody'),
      targetDirectory: stringField(body, 'targetDirectory', 'StopWithSavepointRequestBody'),
      drain: booleanField(body, 'drain', 'StopWithSavepointRequestBody'),
      formatType: stringField(body, 'formatType', 'StopWithSavepointRequestBody'),
      stop: true,
      field: 'targetDirectory',
    })
    return ok({ 'request-id': triggerId }, 202)
  })
  route('get', '/jobs/:jobid/savepoints/:triggerid', (ctx) =>
    ok(asyncJson(cluster.savepointStatus(ctx.params.jobid!, ctx.params.triggerid!))),
  )
  route('post', '/savepoint-disposal', async (ctx) => {
    const body = await readJson(ctx.request, 'SavepointDisposalRequest')
    const path = stringField(body, 'savepoint-path', 'SavepointDisposalRequest')
    if (!path) throw badRequestFormat('SavepointDisposalRequest')
    return ok({ 'request-id': cluster.disposeSavepoint(path) })
  })
  route('get', '/savepoint-disposal/:triggerid', (ctx) =>
    ok(asyncJson(cluster.disposalStatus(ctx.params.triggerid!))),
  )

  // ---- checkpoints (config and details before :triggerid) --------------------------------------------------
  const checkpoint = (ctx: RouteContext) => {
    const j = job(ctx)
    const id = Number(ctx.params.checkpointid)
    const record = j.checkpointHistory.find((c) => c.id === id)
    if (!record) throw restHandlerError(404, `Could not find checkpointing statistics for checkpoint ${id}.`)
    return { job: j, record }
  }
  cached('/jobs/:jobid/checkpoints', (ctx) => ok(json.checkpointingStatistics(job(ctx))))
  cached('/jobs/:jobid/checkpoints/config', (ctx) => ok(json.checkpointConfig(cluster, job(ctx))))
  cached('/jobs/:jobid/checkpoints/details/:checkpointid', (ctx) => {
    const { job: j, record } = checkpoint(ctx)
    return ok(json.checkpointDetails(j, record))
  })
  route('get', '/jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid', (ctx) => {
    const { job: j, record } = checkpoint(ctx)
    const v = j.vertices.find((x) => x.id === ctx.params.vertexid)
    if (!v) throw restHandlerError(404, `There is no checkpoint statistics for task ${ctx.params.vertexid}.`)
    return ok(json.taskCheckpointDetails(j, record, v))
  })
  route('post', '/jobs/:jobid/checkpoints', async (ctx) => {
    const body = await readJson(ctx.request, 'CheckpointTriggerRequestBody')
    const type = stringField(body, 'checkpointType', 'CheckpointTriggerRequestBody')
    if (type !== undefined && !['CONFIGURED', 'FULL', 'INCREMENTAL'].includes(type))
      throw badRequestFormat('CheckpointTriggerRequestBody')
    if (type === 'INCREMENTAL')
      throw restHandlerError(400, 'Incremental checkpoints are not supported to be triggered manually.')
    return ok(
      {
        'request-id': cluster.triggerCheckpoint(
          ctx.params.jobid!,
          triggerIdField(body, 'CheckpointTriggerRequestBody'),
        ),
      },
      202,
    )
  })
  route('get', '/jobs/:jobid/checkpoints/:triggerid', (ctx) =>
    ok(asyncJson(cluster.checkpointStatus(ctx.params.jobid!, ctx.params.triggerid!))),
  )

  // ---- vertices (subtasks/metrics and subtasks/accumulators before subtasks/:subtaskindex) ------------------
  cached('/jobs/:jobid/vertices/:vertexid', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.vertexDetails(cluster, j, v))
  })
  route('get', '/jobs/:jobid/vertices/:vertexid/accumulators', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.vertexAccumulators(j, v))
  })
  route('get', '/jobs/:jobid/vertices/:vertexid/backpressure', (ctx) =>
    ok(json.vertexBackPressure(vertex(ctx).vertex)),
  )
  const sampled = new WeakSet<FakeVertex>()
  route('get', '/jobs/:jobid/vertices/:vertexid/flamegraph', (ctx) => {
    const v = vertex(ctx).vertex
    const first = v.status === 'RUNNING' && !sampled.has(v)
    if (first) sampled.add(v)
    return ok(json.vertexFlameGraph(cluster, v, first))
  })
  route('get', '/jobs/:jobid/vertices/:vertexid/metrics', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.metricAnswer(json.vertexMetricValues(j, v), ctx.query.get('get')))
  })
  route('get', '/jobs/:jobid/vertices/:vertexid/jm-operator-metrics', (ctx) => {
    vertex(ctx)
    return ok([])
  })
  route('get', '/jobs/:jobid/vertices/:vertexid/subtasks/accumulators', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.subtasksAccumulators(cluster, j, v))
  })
  route('get', '/jobs/:jobid/vertices/:vertexid/subtasks/metrics', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    const selected = parseSubtasks(ctx.query.get('subtasks'), v.parallelism)
    const sources = selected.map((i) => json.subtaskMetricValues(j, v, i))
    return ok(json.aggregatedAnswer(sources, ctx.query.get('get'), ctx.query.get('agg')))
  })
  cached('/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.subtaskAttempt(cluster, j, v, subtask(ctx, v), v.attempt))
  })
  const attempt = (ctx: RouteContext, v: FakeVertex) => {
    const n = Number(ctx.params.attempt)
    if (n > v.attempt) throw restHandlerError(404, `Invalid attempt num ${n}`)
    return n
  }
  route('get', '/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.subtaskAttempt(cluster, j, v, subtask(ctx, v), attempt(ctx, v)))
  })
  route(
    'get',
    '/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt/accumulators',
    (ctx) => {
      const { vertex: v } = vertex(ctx)
      const index = subtask(ctx, v)
      return ok({ subtask: index, attempt: attempt(ctx, v), id: `${v.id}-${index}`, 'user-accumulators': [] })
    },
  )
  route('get', '/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.metricAnswer(json.subtaskMetricValues(j, v, subtask(ctx, v)), ctx.query.get('get')))
  })
  cached('/jobs/:jobid/vertices/:vertexid/subtasktimes', (ctx) =>
    ok(json.subtaskTimes(cluster, vertex(ctx).vertex)),
  )
  route('get', '/jobs/:jobid/vertices/:vertexid/taskmanagers', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.vertexTaskManagers(cluster, j, v))
  })
  route('get', '/jobs/:jobid/vertices/:vertexid/watermarks', (ctx) => {
    const { job: j, vertex: v } = vertex(ctx)
    return ok(json.vertexWatermarks(j, v))
  })

  // ---- datasets --------------------------------------------------------------------------------------------
  route('get', '/datasets', () =>
    ok({ dataSets: cluster.datasets().map((d) => ({ id: d.id, isComplete: d.isComplete })) }),
  )
  route('get', '/datasets/delete/:triggerid', (ctx) =>
    ok(asyncJson(cluster.datasetDeleteStatus(ctx.params.triggerid!))),
  )
  route('delete', '/datasets/:datasetid', (ctx) =>
    ok({ 'request-id': cluster.deleteDataset(ctx.params.datasetid!) }, 202),
  )

  return handlers
}

// ---- request parsing ---------------------------------------------------------------------------------------

type Body = Record<string, unknown>

/** Flink reads an empty body as `{}`; anything that is not a JSON object is a 400. */
async function readJson(request: Request, requestClass: string): Promise<Body> {
  const text = await request.text()
  if (text.trim() === '') return {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object')
    return parsed as Body
  } catch {
    throw badRequestFormat(requestClass)
  }
}

function stringField(body: Body, name: string, requestClass: string): string | undefined {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw badRequestFormat(requestClass)
  return value
}

function numberField(body: Body, name: string, requestClass: string): number | undefined {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequestFormat(requestClass)
  return value
}

function booleanField(body: Body, name: string, requestClass: string): boolean | undefined {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw badRequestFormat(requestClass)
  return value
}

function triggerIdField(body: Body, requestClass: string): string | undefined {
  const id = stringField(body, 'triggerId', requestClass)
  if (id !== undefined && !HEX32.test(id)) throw badRequestFormat(requestClass)
  return id
}

function intQuery(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name)
  if (raw === null) return undefined
  if (!/^-?\d+$/.test(raw))
    throw new FlinkRestError(400, [
      `Bad request, could not parse parameters: Cannot resolve query parameter (${name}) from value "${raw}".`,
    ])
  return Number(raw)
}

/** Whitespace tokenising with quotes, like Flink's programArgs handling (≤ 1.20). */
function tokenize(args: string): string[] {
  const out: string[] = []
  for (const match of args.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g))
    out.push(match[1] ?? match[2] ?? match[3] ?? '')
  return out
}

function runRequest(cluster: FakeFlinkCluster, body: Body, query: URLSearchParams): RunRequest {
  const cls = 'JarRunRequestBody'
  const legacy = !cluster.version.atLeast(2, 0)
  let programArgs: string[] = []
  const list = body.programArgsList
  const single = legacy ? stringField(body, 'programArgs', cls) : undefined
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) throw badRequestFormat(cls)
    if (single !== undefined) {
      throw restHandlerError(
        400,
        'Confusing request: programArgs and programArgsList are specified, please, use only programArgsList.',
      )
    }
    programArgs = list as string[]
  } else if (single !== undefined) {
    programArgs = tokenize(single)
  } else if (query.get('programArg')) {
    programArgs = query.get('programArg')!.split(',')
  } else if (legacy && query.get('program-args')) {
    programArgs = tokenize(query.get('program-args')!)
  }
  const jobId = stringField(body, 'jobId', cls)
  if (jobId !== undefined && !HEX32.test(jobId)) throw badRequestFormat(cls)
  const claim = stringField(body, 'claimMode', cls) ?? stringField(body, 'restoreMode', cls)
  if (claim !== undefined && !['CLAIM', 'NO_CLAIM', 'LEGACY'].includes(claim)) throw badRequestFormat(cls)
  const config = body.flinkConfiguration
  if (config !== undefined && config !== null && (typeof config !== 'object' || Array.isArray(config)))
    throw badRequestFormat(cls)
  const parallelism = numberField(body, 'parallelism', cls) ?? intQuery(query, 'parallelism')
  if (parallelism !== undefined && parallelism <= 0 && parallelism !== -1) {
    throw restHandlerError(400, `Invalid parallelism ${parallelism}.`)
  }
  const savepointPath = stringField(body, 'savepointPath', cls) ?? query.get('savepointPath') ?? undefined
  return {
    entryClass: stringField(body, 'entryClass', cls) ?? query.get('entry-class') ?? undefined,
    programArgs,
    parallelism: parallelism === -1 ? undefined : parallelism,
    jobId,
    savepointPath: savepointPath === '' ? undefined : savepointPath,
    allowNonRestoredState:
      booleanField(body, 'allowNonRestoredState', cls) ?? query.get('allowNonRestoredState') === 'true',
    claimMode: (claim as RunRequest['claimMode']) ?? 'NO_CLAIM',
    flinkConfiguration: (config as Record<string, string>) ?? {},
  }
}

function parseSubtasks(raw: string | null, parallelism: number): number[] {
  const all = Array.from({ length: parallelism }, (_, i) => i)
  if (!raw) return all
  const selected = new Set<number>()
  for (const part of raw.split(',')) {
    const [from, to] = part.split('-').map(Number)
    for (let i = from ?? 0; i <= (to ?? from ?? 0); i++) if (i < parallelism) selected.add(i)
  }
  return [...selected].sort((a, b) => a - b)
}

function asyncJson(result: ReturnType<FakeFlinkCluster['savepointStatus']>): unknown {
  if (result.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' }, operation: null }
  return { status: { id: 'COMPLETED' }, operation: result.value }
}
