/** What both ways of starting a fake Flink hand back. */
import { FakeFlinkCluster } from './cluster-model.ts'
import type { FakeFlinkOptions } from './cluster-options.ts'
import { FakeFlinkEndpoint, type RecordedRequest } from './fake-flink-endpoint.ts'
import { FakeFlinkFaults } from './faults.ts'

export interface FakeFlinkBase {
  /** Base URL to give the client, e.g. `http://fake-flink-1.test:8081`. */
  url: string
  /** The in-memory cluster: jobs, jars, snapshots; readable and adjustable by tests. */
  cluster: FakeFlinkCluster
  /** Fault injection. */
  faults: FakeFlinkFaults
  /** Every request received so far, oldest first. */
  requests: readonly RecordedRequest[]
}

export function createEndpoint(options: FakeFlinkOptions): FakeFlinkEndpoint {
  const cluster = new FakeFlinkCluster(options)
  return new FakeFlinkEndpoint(cluster, new FakeFlinkFaults(cluster))
}
