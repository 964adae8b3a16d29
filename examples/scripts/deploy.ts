// Upgrades the "orders" job to a new jar; run: node examples/scripts/deploy.ts http://localhost:8081 build/orders.jar
import { createFlinkClient, upgrade } from '@flink-deploy/core'

const [flinkUrl = 'http://localhost:8081', jar = 'build/orders.jar'] = process.argv.slice(2)
const client = createFlinkClient({
  baseUrl: flinkUrl,
  auth: process.env.FLINK_TOKEN ? { type: 'bearer', token: process.env.FLINK_TOKEN } : undefined,
})

const result = await upgrade(
  { jobName: 'orders', jar, args: ['--name', 'orders', '--release', 'v2'], strategy: 'stop-and-restart' },
  {
    client,
    stateFile: '.flink-deploy/orders.json',
    onEvent: (e) => e.type === 'step-entered' && console.log(`→ ${e.step}`),
  },
)
console.log(result.summary)
await client.close()
process.exitCode = result.outcome === 'upgraded' ? 0 : 1
