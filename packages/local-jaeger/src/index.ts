export { jaegerBinary, jaegerBinaryPath } from './binary.ts'
export { JAEGER_VERSION } from './paths.ts'
export {
  type JaegerServer,
  type JaegerSpan,
  type JaegerTrace,
  type StartJaegerOptions,
  startJaeger,
} from './server.ts'
