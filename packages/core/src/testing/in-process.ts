/**
 * A fake Flink inside the test process: no socket, undici's requests are intercepted at the socket level by
 * msw (`defineNetwork` + `HttpRequestInterceptor`, since msw's setupServer does not see undici). One
 * interception is shared by every fake of the process; each fake owns a distinct origin
 * (`http://fake-flink-<n>.test:8081`). Requests to other hosts pass through untouched, so real servers
 * (e.g. the loopback fake) keep working in the same process.
 */
import { HttpRequestInterceptor } from '@mswjs/interceptors/http'
import { http } from 'msw'
import { defineNetwork, InterceptorSource } from 'msw/experimental'
import type { FakeFlinkOptions } from './cluster-options.ts'
import { createEndpoint, type FakeFlinkBase } from './fake-flink.ts'
import type { FakeFlinkEndpoint } from './fake-flink-endpoint.ts'

export interface InProcessFakeFlink extends FakeFlinkBase {
  /** Stops the timers of the fake and removes its interception (the last fake disables msw). */
  stop(): Promise<void>
}

const FAKE_HOST = /^fake-flink-\d+\.test$/

const endpoints = new Map<string, FakeFlinkEndpoint>()
let counter = 0
let network: ReturnType<typeof createNetwork> | undefined
let enabling: Promise<void> | undefined

/** A node-like socket error: msw's interceptor errors the connection with it instead of answering. */
function socketError(code: 'ECONNRESET' | 'ECONNREFUSED', origin: string): Error {
  const message = code === 'ECONNRESET' ? 'read ECONNRESET' : `connect ECONNREFUSED ${new URL(origin).host}`
  return Object.assign(new Error(message), {
    code,
    errno: code === 'ECONNRESET' ? -104 : -111,
    syscall: code === 'ECONNRESET' ? 'read' : 'connect',
  })
}

/** The interceptor source, with msw's console report of the deliberate socket errors silenced. */
class QuietInterceptorSource extends InterceptorSource {
  override async queue(frame: Parameters<InterceptorSource['queue']>[0]): Promise<void> {
    ;(frame.events as { on(type: string, listener: () => void): void }).on('unhandledException', () => {})
    return super.queue(frame)
  }
}

function createNetwork() {
  return defineNetwork({
    sources: [new QuietInterceptorSource({ interceptors: [new HttpRequestInterceptor()] })],
    handlers: [
      http.all('*', async ({ request }) => {
        const url = new URL(request.url)
        if (!FAKE_HOST.test(url.hostname)) return undefined
        const endpoint = endpoints.get(url.origin)
        if (!endpoint) throw socketError('ECONNREFUSED', url.origin)
        const answer = await endpoint.answer(request)
        if (answer.kind === 'reset') throw socketError('ECONNRESET', url.origin)
        if (answer.kind === 'refused') throw socketError('ECONNREFUSED', url.origin)
        return answer.response
      }),
    ],
    // Unmatched fake hosts are answered above (connection refused); anything else is real traffic.
    onUnhandledFrame: 'bypass',
    context: { quiet: true },
  })
}

async function ensureNetwork(): Promise<void> {
  if (!network) {
    network = createNetwork()
    enabling = Promise.resolve(network.enable())
  }
  await enabling
}

/**
 * Starts a fake Flink session cluster in this process and intercepts undici requests to its URL.
 *
 * @example
 * const flink = await startFakeFlink({ version: '2.3.0' })
 * const client = createFlinkClient({ baseUrl: flink.url })
 * // ...
 * await flink.stop()
 */
export async function startFakeFlink(options: FakeFlinkOptions = {}): Promise<InProcessFakeFlink> {
  await ensureNetwork()
  const url = `http://fake-flink-${++counter}.test:8081`
  const endpoint = createEndpoint(options)
  endpoints.set(url, endpoint)
  return {
    url,
    cluster: endpoint.cluster,
    faults: endpoint.faults,
    requests: endpoint.requests,
    async stop() {
      endpoint.cluster.dispose()
      endpoints.delete(url)
      if (endpoints.size === 0 && network) {
        const current = network
        network = undefined
        enabling = undefined
        await current.disable()
      }
    },
  }
}
