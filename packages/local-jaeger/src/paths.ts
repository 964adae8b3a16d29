import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The Jaeger release built (module github.com/jaegertracing/jaeger, the `tool` in go/go.mod). */
export const JAEGER_VERSION = 'v1.75.0'
/** The all-in-one binary's package in that module (Jaeger v2: an OpenTelemetry Collector distribution). */
export const JAEGER_PACKAGE = 'github.com/jaegertracing/jaeger/cmd/jaeger'
/** packages/local-jaeger */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
/** packages/local-jaeger/.cache (gitignored): the built binary */
export const CACHE_DIR = join(PACKAGE_DIR, '.cache')
/** packages/local-jaeger/go: the Go module pinning Jaeger and its dependencies (go.mod, go.sum) */
export const GO_MODULE_DIR = join(PACKAGE_DIR, 'go')
