export { resolveZooKeeperClasspath } from './classpath.ts'
export { ZOOKEEPER_VERSION } from './paths.ts'
export { type StartZooKeeperOptions, startZooKeeper, type ZooKeeperServer } from './server.ts'
