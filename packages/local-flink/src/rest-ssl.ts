/**
 * REST over TLS with mutual authentication (security.ssl.rest.*): the JobManager serves its key from a
 * keystore and accepts only client certificates its truststore's CA signed.
 */
import { readFile } from 'node:fs/promises'
import { request } from 'node:https'

export interface RestSslOptions {
  /** PKCS12 keystore with the server's key and certificate */
  keystore: string
  /** PKCS12 truststore with the CA that signed the client certificates the JobManager accepts */
  truststore: string
  /** password of both stores and of the key */
  password: string
  /** the host name the server certificate names: the cluster's url uses it (default 'localhost') */
  host?: string
  /** PEM files local-flink itself connects with (readiness checks): the server's CA, a client certificate and key */
  client: { ca: string; cert: string; key: string }
}

/** The config.yaml keys that turn REST TLS with client authentication on. */
export function restSslConfig(o: RestSslOptions): Record<string, string | boolean> {
  return {
    'security.ssl.rest.enabled': true,
    'security.ssl.rest.authentication-enabled': true,
    'security.ssl.rest.keystore': o.keystore,
    'security.ssl.rest.keystore-password': o.password,
    'security.ssl.rest.key-password': o.password,
    'security.ssl.rest.truststore': o.truststore,
    'security.ssl.rest.truststore-password': o.password,
  }
}

/** GET a JSON document over mutual TLS with the client files of `o`. */
export async function getJsonOverTls(url: string, o: RestSslOptions, timeoutMs: number): Promise<unknown> {
  const [ca, cert, key] = await Promise.all(
    [o.client.ca, o.client.cert, o.client.key].map((p) => readFile(p)),
  )
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, cert, key, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url} → ${res.statusCode}`))
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        } catch (e) {
          reject(e)
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}
