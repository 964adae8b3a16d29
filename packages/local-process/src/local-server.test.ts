import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { superviseLocalServer } from './local-server.ts'
import { spawnWatched } from './watched-process.ts'

async function sleeper(script = 'exec sleep 60') {
  const workDir = await mkdtemp(join(tmpdir(), 'local-server-'))
  const logFile = join(workDir, 'server.log')
  const proc = spawnWatched({ name: 'server', command: 'sh', args: ['-c', script], outFile: logFile })
  return { workDir, logFile, proc }
}

describe('superviseLocalServer', () => {
  it('returns once ready; stop ends the process and removes the work folder', async () => {
    const s = await sleeper()
    let polls = 0
    const server = await superviseLocalServer({
      label: 'The test server',
      ...s,
      timeoutMs: 5_000,
      ready: async () => ++polls >= 3,
    })
    expect(polls).toBe(3)
    expect(s.proc.hasExited()).toBe(false)
    await server.stop()
    await server.stop()
    expect(s.proc.hasExited()).toBe(true)
    expect(existsSync(s.workDir)).toBe(false)
  })

  it('fails fast with the log when the process exits while starting, and keeps the log', async () => {
    const s = await sleeper('echo "cannot bind"; exit 3')
    await expect(
      superviseLocalServer({ label: 'The test server', ...s, timeoutMs: 30_000, ready: async () => false }),
    ).rejects.toThrow(/The test server \(pid \d+\) exited while starting:\n.*cannot bind/)
    expect(existsSync(s.logFile)).toBe(true)
  })

  it('fails when the log shows a failure, and stops the process', async () => {
    const s = await sleeper()
    await writeFile(s.logFile, 'ERROR main thread died\n')
    await expect(
      superviseLocalServer({
        label: 'The test server',
        ...s,
        timeoutMs: 30_000,
        ready: async () => true,
        failed: async () => 'failed while starting',
      }),
    ).rejects.toThrow(/The test server \(pid \d+\) failed while starting/)
    expect(s.proc.hasExited()).toBe(true)
  })

  it('gives up after its timeout, naming it', async () => {
    const s = await sleeper()
    await expect(
      superviseLocalServer({ label: 'The test server', ...s, timeoutMs: 200, ready: async () => false }),
    ).rejects.toThrow('The test server did not start within 200 ms')
    expect(s.proc.hasExited()).toBe(true)
  })
})
