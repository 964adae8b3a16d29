/** JobManager high availability for a local cluster. */
export interface HaOptions {
  /** the ZooKeeper connect string, e.g. 127.0.0.1:41234 (startZooKeeper().quorum) */
  quorum: string
}
