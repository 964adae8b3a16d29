/**
 * The Jaeger binary, built once with the Go toolchain from the Go module proxy into
 * .cache/<version>/jaeger. Cold it downloads some 1.3 GB of modules and compiles for minutes (see the README);
 * after that it is a file that exists. Parallel callers (test workers, CI's early build) share one build.
 */
import { access, mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { exec, lastLines, withFileLock } from '@flink-deploy/local-process'
import { CACHE_DIR, GO_MODULE_DIR, JAEGER_PACKAGE, JAEGER_VERSION } from './paths.ts'

const BUILD_TIMEOUT_MS = 40 * 60_000

export const jaegerBinaryPath = () => join(CACHE_DIR, JAEGER_VERSION, 'jaeger')

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

let inFlight: Promise<string> | undefined

/** The cached binary's path, building it first when it is missing. Needs `go` (1.25 or later) on PATH. */
export function jaegerBinary(options: { log?: (message: string) => void } = {}): Promise<string> {
  inFlight ??= build(options.log ?? (() => {})).finally(() => {
    inFlight = undefined
  })
  return inFlight
}

async function build(log: (message: string) => void): Promise<string> {
  const binary = jaegerBinaryPath()
  if (await exists(binary)) return binary
  await mkdir(join(CACHE_DIR, JAEGER_VERSION), { recursive: true })
  await withFileLock(
    join(CACHE_DIR, `build-${JAEGER_VERSION}.lock`),
    async () => {
      if (await exists(binary)) return
      const t0 = Date.now()
      log(`building Jaeger ${JAEGER_VERSION} with Go (once; minutes when the Go caches are cold)`)
      const partial = `${binary}.${process.pid}.tmp`
      const go = await exec('go', ['build', '-trimpath', '-o', partial, JAEGER_PACKAGE], {
        cwd: GO_MODULE_DIR,
        timeoutMs: BUILD_TIMEOUT_MS,
      }).catch((e: NodeJS.ErrnoException) => {
        throw new Error(
          e.code === 'ENOENT'
            ? 'Jaeger is built with Go: no `go` on PATH (install Go 1.25 or later)'
            : e.message,
        )
      })
      if (go.code !== 0) {
        await rm(partial, { force: true })
        throw new Error(
          `go build of ${JAEGER_PACKAGE} failed (${go.code ?? go.signal}):\n${lastLines(go.output, 30)}`,
        )
      }
      // Appears whole or not at all: a build killed half-way leaves only its .tmp file.
      await rename(partial, binary)
      log(`Jaeger ${JAEGER_VERSION} built in ${Math.round((Date.now() - t0) / 1000)} s: ${binary}`)
    },
    { timeoutMs: BUILD_TIMEOUT_MS, what: `the Jaeger ${JAEGER_VERSION} build` },
  )
  return binary
}
