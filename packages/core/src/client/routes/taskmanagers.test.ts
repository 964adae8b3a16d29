import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type MockedFlink, mockFlink, testRouteGroup } from './route-test-kit.ts'
import { taskManagerRoutes } from './taskmanagers.ts'

const tm0 = '127.0.0.1:41231-7f2c1a'
const tm1 = '127.0.0.1:41233-9b0e44'
// The ':' of a ResourceID is percent-encoded in the path; Flink's router decodes it.
const tm0Path = `/taskmanagers/${encodeURIComponent(tm0)}`

const resource = (cpuCores: number, taskHeapMemory: number, managedMemory: number) => ({
  cpuCores,
  taskHeapMemory,
  taskOffHeapMemory: 0,
  managedMemory,
  networkMemory: 128,
  extendedResources: {},
})

const taskManager = {
  id: tm0,
  path: 'pekko.tcp://flink@127.0.0.1:41231/user/rpc/taskmanager_0',
  dataPort: 35617,
  jmxPort: -1,
  timeSinceLastHeartbeat: 1767311995123,
  slotsNumber: 4,
  freeSlots: 2,
  totalResource: resource(4, 383, 512),
  freeResource: resource(2, 191, 256),
  hardware: {
    cpuCores: 2,
    physicalMemory: 25_769_803_776,
    freeMemory: 402_653_184,
    managedMemory: 536_870_920,
  },
  memoryConfiguration: {
    frameworkHeap: 134_217_728,
    taskHeap: 402_653_174,
    frameworkOffHeap: 134_217_728,
    taskOffHeap: 0,
    networkMemory: 134_217_730,
    managedMemory: 536_870_920,
    jvmMetaspace: 268_435_456,
    jvmOverhead: 201_326_592,
    totalFlinkMemory: 1_342_177_280,
    totalProcessMemory: 1_811_939_328,
  },
}

const logs = {
  logs: [
    { name: 'flink-taskexecutor-0-host.log', size: 184_233, mtime: 1767311999000 },
    { name: 'flink-taskexecutor-0-host.out', size: 0, mtime: 1767311000000 },
  ],
}

testRouteGroup('taskmanagers', taskManagerRoutes, [
  {
    key: 'GET /taskmanagers',
    path: '/taskmanagers',
    // One 2.3 TaskManager (assignedTasks) and one 1.20-style blocked one.
    response: {
      taskmanagers: [
        { ...taskManager, assignedTasks: 2 },
        {
          ...taskManager,
          id: tm1,
          path: 'pekko.tcp://flink@127.0.0.1:41233/user/rpc/taskmanager_0',
          freeSlots: 4,
          blocked: true,
        },
      ],
    },
  },
  {
    key: 'GET /taskmanagers/metrics',
    args: { query: { get: ['Status.JVM.Memory.Heap.Used'], agg: ['max', 'avg'], taskmanagers: [tm0, tm1] } },
    path: `/taskmanagers/metrics?get=Status.JVM.Memory.Heap.Used&agg=max%2Cavg&taskmanagers=${encodeURIComponent(`${tm0},${tm1}`)}`,
    response: [{ id: 'Status.JVM.Memory.Heap.Used', max: 312_475_648, avg: 251_658_240 }],
  },
  {
    key: 'GET /taskmanagers/:taskmanagerid',
    args: { taskmanagerid: tm0 },
    path: tm0Path,
    // A 1.20 answer: memorySegments* were still sent next to the nettyShuffle* fields.
    response: {
      ...taskManager,
      allocatedSlots: [{ resource: resource(1, 95, 128), jobId: '5d3c6e0f4a8b41e29c7f2a1b3d4e5f60' }],
      metrics: {
        heapUsed: 251_658_240,
        heapCommitted: 536_870_912,
        heapMax: 536_870_912,
        nonHeapUsed: 98_566_144,
        nonHeapCommitted: 104_857_600,
        nonHeapMax: -1,
        directCount: 42,
        directUsed: 134_348_801,
        directMax: 134_348_800,
        mappedCount: 0,
        mappedUsed: 0,
        mappedMax: 0,
        memorySegmentsAvailable: 4090,
        memorySegmentsTotal: 4096,
        nettyShuffleMemorySegmentsAvailable: 4090,
        nettyShuffleMemorySegmentsUsed: 6,
        nettyShuffleMemorySegmentsTotal: 4096,
        nettyShuffleMemoryAvailable: 134_021_120,
        nettyShuffleMemoryUsed: 196_608,
        nettyShuffleMemoryTotal: 134_217_728,
        garbageCollectors: [
          { name: 'G1_Young_Generation', count: 17, time: 143 },
          { name: 'G1_Old_Generation', count: 0, time: 0 },
        ],
      },
    },
  },
  {
    key: 'GET /taskmanagers/:taskmanagerid/logs',
    args: { taskmanagerid: tm0 },
    path: `${tm0Path}/logs`,
    response: logs,
  },
  {
    key: 'GET /taskmanagers/:taskmanagerid/metrics',
    args: { taskmanagerid: tm0, query: { get: ['Status.JVM.CPU.Load', 'Status.Shuffle.Netty.UsedMemory'] } },
    path: `${tm0Path}/metrics?get=Status.JVM.CPU.Load%2CStatus.Shuffle.Netty.UsedMemory`,
    response: [
      { id: 'Status.JVM.CPU.Load', value: '0.0123' },
      { id: 'Status.Shuffle.Netty.UsedMemory', value: '196608' },
    ],
  },
  {
    key: 'GET /taskmanagers/:taskmanagerid/thread-dump',
    args: { taskmanagerid: tm0 },
    path: `${tm0Path}/thread-dump`,
    response: {
      threadInfos: [
        {
          threadName: 'Source: datagen -> Map (1/2)#0',
          stringifiedThreadInfo:
            '"Source: datagen -> Map (1/2)#0" Id=87 RUNNABLE\n\tat org.apache.flink.streaming.runtime.tasks.StreamTask.invoke(StreamTask.java:813)\n',
          'future-field': 'ignored',
        },
      ],
    },
  },
])

describe('taskmanager calls check their arguments', () => {
  let flink: MockedFlink
  beforeEach(() => {
    flink = mockFlink()
  })
  afterEach(async () => {
    await flink.agent.close()
  })

  it('rejects a TaskManager id containing a slash before sending anything', async () => {
    await expect(flink.client.taskmanagers.get({ taskmanagerid: '../jobmanager' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'taskmanagerid',
    })
    expect(flink.agent.getCallHistory()?.calls().length ?? 0).toBe(0)
  })
})
