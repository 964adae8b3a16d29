import { jobManagerRoutes } from './jobmanager.ts'
import { testRouteGroup } from './route-test-kit.ts'

testRouteGroup('jobmanager', jobManagerRoutes, [
  {
    key: 'GET /jobmanager/config',
    path: '/jobmanager/config',
    response: [
      { key: 'jobmanager.rpc.address', value: 'localhost' },
      { key: 'rest.port', value: '8081' },
      { key: 'execution.checkpointing.savepoint-dir', value: 'file:///var/flink/savepoints' },
    ],
  },
  {
    key: 'GET /jobmanager/environment',
    path: '/jobmanager/environment',
    response: {
      jvm: {
        version: 'OpenJDK 64-Bit Server VM - Eclipse Adoptium - 17 - 17.0.13+11',
        arch: 'amd64',
        options: [
          '-Xmx1073741824',
          '-Xms1073741824',
          '-XX:MaxMetaspaceSize=268435456',
          '-Dlog.file=/opt/flink/log/flink--standalonesession-0-host.log',
        ],
        'future-field': 1,
      },
      classpath: [
        '/opt/flink/lib/flink-cep-2.3.0.jar',
        '/opt/flink/lib/log4j-core-2.25.3.jar',
        '/opt/flink/lib/flink-dist-2.3.0.jar',
      ],
    },
  },
  {
    key: 'GET /jobmanager/logs',
    path: '/jobmanager/logs',
    response: {
      logs: [
        { name: 'flink--standalonesession-0-host.log', size: 96_211, mtime: 1767311999000 },
        { name: 'flink--standalonesession-0-host.out', size: 0, mtime: 1767311000000 },
      ],
    },
  },
  {
    key: 'GET /jobmanager/metrics',
    args: { query: { get: ['Status.JVM.Memory.Heap.Used', 'numRunningJobs'] } },
    path: '/jobmanager/metrics?get=Status.JVM.Memory.Heap.Used%2CnumRunningJobs',
    response: [
      { id: 'Status.JVM.Memory.Heap.Used', value: '187170816' },
      { id: 'numRunningJobs', value: '1' },
    ],
  },
  {
    key: 'GET /jobmanager/thread-dump',
    path: '/jobmanager/thread-dump',
    response: {
      threadInfos: [
        {
          threadName: 'flink-pekko.actor.default-dispatcher-4',
          stringifiedThreadInfo:
            '"flink-pekko.actor.default-dispatcher-4" Id=31 WAITING on java.util.concurrent.ForkJoinPool@6f1c3b2a\n\tat java.base@17.0.13/jdk.internal.misc.Unsafe.park(Native Method)\n',
        },
      ],
    },
  },
])
