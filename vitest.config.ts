import { defineConfig } from 'vitest/config'

// Tests talk to loopback servers only: the AWS SDK must never look for credentials on a metadata service.
const LOOPBACK_ONLY = { AWS_EC2_METADATA_DISABLED: 'true' }

// Every command line the tool prints in a test is parsed by the CLI's own parser (test/support/printed-commands.ts).
const PRINTED_COMMANDS = './test/support/printed-commands-setup.ts'

// `unit` is fast (fake Flink, loopback servers), `packaging` installs the packed tarballs on Node 22 and 24,
// and `flink` needs real Flink clusters.

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          env: LOOPBACK_ONLY,
          setupFiles: [PRINTED_COMMANDS],
          include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.flink.test.ts', 'test/packaging/**'],
        },
      },
      {
        test: {
          name: 'packaging',
          include: ['test/packaging/**/*.test.ts'],
          // npm install and child processes on two Node versions.
          testTimeout: 120_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'flink',
          env: LOOPBACK_ONLY,
          setupFiles: [PRINTED_COMMANDS],
          include: ['test/**/*.flink.test.ts', 'packages/*/src/**/*.flink.test.ts'],
          exclude: ['**/node_modules/**'],
          // Real JobManager/TaskManager JVMs: child processes must belong to a process, not a worker thread.
          pool: 'forks',
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
