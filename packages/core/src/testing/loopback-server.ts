/**
 * A fake Flink behind a real HTTP(S) server on 127.0.0.1, answering with the same msw handlers through
 * `getResponse`. Use it where an in-process interception cannot reach: TLS and mutual TLS, a CLI run as a
 * child process, other languages' clients. Resets and JobManager downtime really destroy the socket.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { Readable } from 'node:stream'
import type { FakeFlinkOptions } from './cluster-options.ts'
import { createEndpoint, type FakeFlinkBase } from './fake-flink.ts'
import type { FakeFlinkEndpoint } from './fake-flink-endpoint.ts'

export interface LoopbackTlsOptions {
  /** PEM private key and certificate of the server. */
  key: string | Buffer
  cert: string | Buffer
  /** PEM CA that signed client certificates (for mutual TLS). */
  ca?: string | Buffer
  /** Ask for a client certificate and reject connections without a valid one (mutual TLS). */
  requestClientCert?: boolean
}

export interface LoopbackFakeFlinkOptions extends FakeFlinkOptions {
  /** Serve HTTPS with this key and certificate instead of HTTP. */
  tls?: LoopbackTlsOptions
  /** Host name used in `url` (default 127.0.0.1; use `localhost` when the certificate names it). */
  hostname?: string
  /** Port to listen on (default 0: any free port). */
  port?: number
}

export interface LoopbackFakeFlink extends FakeFlinkBase {
  /** The Node server, e.g. to count connections. */
  server: Server
  /** Stops the fake's timers, destroys open connections and closes the server. */
  close(): Promise<void>
}

/** Starts a fake Flink on a real loopback port. */
export async function serveFakeFlink(options: LoopbackFakeFlinkOptions = {}): Promise<LoopbackFakeFlink> {
  const { tls, hostname = '127.0.0.1', port = 0, ...clusterOptions } = options
  const endpoint = createEndpoint(clusterOptions)
  const sockets = new Set<Socket>()
  const listener = (req: IncomingMessage, res: ServerResponse) =>
    void serve(endpoint, req, res, tls !== undefined)
  const server: Server = tls
    ? (createHttpsServer(
        {
          key: tls.key,
          cert: tls.cert,
          ca: tls.ca,
          requestCert: tls.requestClientCert ?? false,
          rejectUnauthorized: tls.requestClientCert ?? false,
        },
        listener,
      ) as unknown as Server)
    : createHttpServer(listener)
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const url = `${tls ? 'https' : 'http'}://${hostname}:${address.port}`
  return {
    url,
    server,
    cluster: endpoint.cluster,
    faults: endpoint.faults,
    requests: endpoint.requests,
    async close() {
      endpoint.cluster.dispose()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function serve(
  endpoint: FakeFlinkEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
  secure: boolean,
): Promise<void> {
  try {
    const origin = `${secure ? 'https' : 'http'}://${req.headers.host ?? '127.0.0.1'}`
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
    }
    const request = new Request(new URL(req.url ?? '/', origin), {
      method: req.method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
      duplex: hasBody ? 'half' : undefined,
    } as RequestInit)
    const answer = await endpoint.answer(request)
    if (answer.kind !== 'response') {
      // Connection reset, or a JobManager that is down: the socket goes away without an answer.
      req.socket.resetAndDestroy()
      return
    }
    const { response } = answer
    res.writeHead(response.status, Object.fromEntries(response.headers))
    if (response.body) Readable.fromWeb(response.body as never).pipe(res)
    else res.end()
  } catch (error) {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ errors: ['Internal server error.', String(error)] }))
  }
}
