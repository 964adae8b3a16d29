import { createServer } from 'node:net'

/** Ports handed out by this process and not yet released: avoids giving the same port to two clusters. */
const reserved = new Set<number>()

function grabPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen({ port: 0, host, exclusive: true }, () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      server.close(() => resolve(port))
    })
  })
}

/**
 * Returns `count` distinct ports that were free on `host` a moment ago (the kernel picks them).
 * There is an unavoidable race with other processes between this check and the JVM binding; the
 * cluster start retries with new ports when a JVM fails with a BindException.
 */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = []
  let attempts = 0
  while (ports.length < count) {
    if (++attempts > count * 20) throw new Error(`Could not find ${count} free ports on ${host}`)
    const p = await grabPort(host)
    if (p === 0 || reserved.has(p) || ports.includes(p)) continue
    ports.push(p)
  }
  for (const p of ports) reserved.add(p)
  return ports
}

/** Lets findFreePorts hand the ports out again (after the cluster that used them stopped). */
export function releasePorts(ports: Iterable<number>): void {
  for (const p of ports) reserved.delete(p)
}
