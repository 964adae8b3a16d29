import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The Apache ZooKeeper release the server runs (org.apache.zookeeper:zookeeper on Maven Central). */
export const ZOOKEEPER_VERSION = '3.9.5'
/** packages/local-zookeeper */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
/** packages/local-zookeeper/.cache (gitignored): resolved classpath */
export const CACHE_DIR = join(PACKAGE_DIR, '.cache')
/** packages/local-zookeeper/maven/pom.xml: the classpath builder */
export const CLASSPATH_POM = join(PACKAGE_DIR, 'maven', 'pom.xml')
