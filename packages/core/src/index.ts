export { createFlinkClient, type FlinkClient } from './client/flink-client.ts'
export type { ClientOptions } from './client/options.ts'
export * from './errors.ts'
