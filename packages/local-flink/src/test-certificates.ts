/**
 * Certificates for a cluster with REST TLS, made for one test run with openssl and keytool: a CA, the
 * server's certificate for `localhost` only (so https://127.0.0.1 is a host-name mismatch), a client
 * certificate the CA signed, and a stranger CA with a client certificate of its own (which the server does not
 * accept). Valid for a day; the password is random.
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exec, lastLines } from '@flink-deploy/local-process'
import type { RestSslOptions } from './rest-ssl.ts'

export interface TestCertificates {
  /** pass to startFlinkCluster({ restSsl }) */
  restSsl: RestSslOptions
  /** PEM paths */
  ca: string
  clientCert: string
  clientKey: string
  strangerCa: string
  strangerClientCert: string
  strangerClientKey: string
  /** the secrets of this run, to check that no output shows them */
  secrets: string[]
}

export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const password = randomBytes(12).toString('hex')
  // commands as one string each: no argument has a space (names are relative to dir, the password is hex)
  const run = async (command: string) => {
    const [bin, ...args] = command.split(' ') as [string, ...string[]]
    const res = await exec(bin, args, { cwd: dir, timeoutMs: 60_000 })
    if (res.code !== 0) throw new Error(`${bin} ${args[0]} failed:\n${lastLines(res.output, 20)}`)
  }
  const ca = (name: string) =>
    run(
      `openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=${name} -keyout ${name}.key -out ${name}.crt`,
    )
  const leaf = async (name: string, signer: string, ext: string) => {
    await run(`openssl req -newkey rsa:2048 -nodes -subj /CN=${name} -keyout ${name}.key -out ${name}.csr`)
    await writeFile(join(dir, `${name}.ext`), ext)
    await run(
      `openssl x509 -req -in ${name}.csr -CA ${signer}.crt -CAkey ${signer}.key -CAcreateserial -days 1 ` +
        `-extfile ${name}.ext -out ${name}.crt`,
    )
  }
  await ca('ca')
  await ca('stranger')
  await leaf('server', 'ca', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n')
  await leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n')
  await leaf('stranger-client', 'stranger', 'extendedKeyUsage=clientAuth\n')
  await run(
    'openssl pkcs12 -export -in server.crt -inkey server.key -certfile ca.crt -name flink -out keystore.p12 ' +
      `-passout pass:${password}`,
  )
  await run(
    'keytool -importcert -noprompt -alias ca -file ca.crt -storetype PKCS12 -keystore truststore.p12 ' +
      `-storepass ${password}`,
  )
  const path = (name: string) => join(dir, name)
  // a line of each private key's base64 body stands for the key in "no key material in any output"
  const keyLines = await Promise.all(
    ['client.key', 'stranger-client.key', 'server.key'].map(
      async (f) => (await readFile(path(f), 'utf8')).split('\n')[2]!,
    ),
  )
  return {
    restSsl: {
      keystore: path('keystore.p12'),
      truststore: path('truststore.p12'),
      password,
      client: { ca: path('ca.crt'), cert: path('client.crt'), key: path('client.key') },
    },
    ca: path('ca.crt'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    strangerCa: path('stranger.crt'),
    strangerClientCert: path('stranger-client.crt'),
    strangerClientKey: path('stranger-client.key'),
    secrets: [password, ...keyLines],
  }
}
