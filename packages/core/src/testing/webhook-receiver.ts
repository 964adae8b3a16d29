/**
 * A webhook on loopback for tests of notifications: a real node:http server that records every request it
 * answers (an attempt) and the ones it took (a delivery), and can be told to fail the next few.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedWebhook {
  path: string
  headers: IncomingHttpHeaders
  /** The raw body, as signed. */
  body: string
  status: number
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`; any path is taken. */
  url: string
  /** Every request, in order, with the status it was answered with. */
  attempts: ReceivedWebhook[]
  /** The requests answered 2xx. */
  delivered(): ReceivedWebhook[]
  /** The next requests are answered with these statuses, one each; then 204 again. */
  failNext(...statuses: number[]): void
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const attempts: ReceivedWebhook[] = []
  const failures: number[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => {
      const status = failures.shift() ?? 204
      attempts.push({
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status,
      })
      response.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    delivered: () => attempts.filter((a) => a.status < 300),
    failNext: (...statuses) => failures.push(...statuses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A loopback URL where nothing listens: connections are refused. */
export async function deadWebhookUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
