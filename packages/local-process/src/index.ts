export { type ExecResult, exec, lastLines, stripAnsi } from './exec.ts'
export { withFileLock } from './file-lock.ts'
export { findFreePorts, releasePorts } from './free-ports.ts'
export { jdkBinary } from './jdk.ts'
export {
  acceptsConnections,
  type LocalServerHandle,
  type LocalServerStart,
  logTail,
  superviseLocalServer,
} from './local-server.ts'
export { cachedMavenClasspath, mavenBinary, mavenBuildClasspath } from './maven.ts'
export { commandLine, isAlive } from './pid.ts'
export { runCli } from './run-cli.ts'
export { type StateFile, stateFile } from './state-file.ts'
export { stopProcess } from './stop-process.ts'
export { tailFile } from './tail-file.ts'
export {
  type ProcessExit,
  type SpawnWatchedOptions,
  spawnWatched,
  type WatchedProcess,
} from './watched-process.ts'
