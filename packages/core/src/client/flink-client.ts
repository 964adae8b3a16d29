/**
 * createFlinkClient: one object with a method per Flink endpoint, grouped by resource, plus the helpers an
 * upgrade needs on top of single calls (jar upload, asynchronous operations, version detection).
 */
import { type CallArgs, type CallContext, callRoute } from './call.ts'
import { adaptBody } from './compat.ts'
import { type UploadedJar, type UploadOptions, uploadJar } from './jar-upload.ts'
import { createOperations } from './operations.ts'
import { type ClientOptions, resolveClientOptions } from './options.ts'
import type { RouteArgs, RouteResult, RouteSpec, RouteTable } from './route.ts'
import { type AllRouteKey, type AllRoutes, allRoutes, type RouteGroups, routeGroups } from './routes/index.ts'
import { Transport } from './transport.ts'
import { detectVersion, type FlinkVersion } from './version.ts'

type RouteMethod<K extends string, S extends RouteSpec> =
  Record<never, never> extends RouteArgs<K, S>
    ? (args?: RouteArgs<K, S>) => Promise<RouteResult<S>>
    : (args: RouteArgs<K, S>) => Promise<RouteResult<S>>

export type GroupApi<T extends RouteTable> = {
  [K in keyof T & string as T[K] extends { name: infer N extends string } ? N : never]: T[K] extends RouteSpec
    ? RouteMethod<K, T[K]>
    : never
}

type GroupsApi = { [G in keyof RouteGroups]: GroupApi<RouteGroups[G]> }

export type FlinkClient = Omit<GroupsApi, 'jars'> & {
  /** Calls any route by its Flink key, e.g. `client.request('GET /jobs/:jobid', { jobid })`. */
  request<K extends AllRouteKey>(
    key: K,
    ...args: Parameters<RouteMethod<K, AllRoutes[K]>>
  ): Promise<RouteResult<AllRoutes[K]>>
  jars: Omit<GroupsApi['jars'], 'upload'> & {
    /** Streams a jar from disk to the cluster; never retried, so a jar is not stored twice. */
    upload(jarPath: string, options?: UploadOptions): Promise<UploadedJar>
  }
  operations: ReturnType<typeof createOperations>
  /** The REST endpoint this client talks to (never holds credentials: the options refuse them in URLs). */
  readonly url: string
  /** The cluster's Flink version, read once from GET /config. */
  version(): Promise<FlinkVersion>
  /** Closes the client's connection pool (not an injected dispatcher). */
  close(): Promise<void>
}

export function createFlinkClient(options: ClientOptions): FlinkClient {
  const resolved = resolveClientOptions(options)
  const transport = new Transport(resolved)
  const ctx: CallContext = {
    transport,
    retry: resolved.retry,
    unreachableMs: resolved.timeouts.unreachableMs,
    answered: false,
  }

  let versionPromise: Promise<FlinkVersion> | undefined
  const version = (): Promise<FlinkVersion> => {
    versionPromise ??= detectVersion(() => callRoute(ctx, 'GET /config', allRoutes['GET /config'])).catch(
      (error) => {
        versionPromise = undefined
        throw error
      },
    )
    return versionPromise
  }

  const call = async (key: string, args: CallArgs = {}): Promise<unknown> => {
    const spec = (allRoutes as Record<string, RouteSpec>)[key]
    if (!spec) throw new TypeError(`Unknown Flink route ${key}`)
    if (spec.multipart) {
      // Called by its key, the upload answers what Flink answers; client.jars.upload returns more.
      const jarPath = (args.body as { jarPath: string } | undefined)?.jarPath ?? ''
      const { filename } = await uploadJar(ctx, jarPath, { signal: args.signal, timeoutMs: args.timeoutMs })
      return { filename, status: 'success' }
    }
    return callRoute(ctx, key, spec, args, (body) => adaptBody(key, body, version))
  }

  const groups = Object.fromEntries(
    Object.entries(routeGroups).map(([group, table]) => [
      group,
      Object.fromEntries(
        Object.entries(table as RouteTable).map(([key, spec]) => [
          spec.name,
          (args?: CallArgs) => call(key, args),
        ]),
      ),
    ]),
  ) as unknown as GroupsApi

  const request = call as unknown as FlinkClient['request']
  const client: FlinkClient = {
    ...groups,
    jars: {
      ...(groups.jars as Omit<GroupsApi['jars'], 'upload'>),
      upload: (path, opts) => uploadJar(ctx, path, opts),
    },
    request,
    operations: createOperations(request),
    url: resolved.baseUrl.href.replace(/\/+$/, ''),
    version,
    close: () => transport.close(),
  }
  return client
}
