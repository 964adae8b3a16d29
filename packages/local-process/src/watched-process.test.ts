import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { isAlive } from './pid.ts'
import { stopProcess } from './stop-process.ts'
import { spawnWatched } from './watched-process.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-process-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('spawnWatched and stopProcess', () => {
  it('stops a child with SIGTERM and reports how it exited', async () => {
    const p = spawnWatched({ name: 'sleeper', command: 'sleep', args: ['60'], outFile: join(dir, 'a.out') })
    expect(isAlive(p.pid)).toBe(true)
    await stopProcess(p)
    expect(p.hasExited()).toBe(true)
    expect(await p.exited).toEqual({ code: null, signal: 'SIGTERM' })
    expect(isAlive(p.pid)).toBe(false)
  })

  it('escalates to SIGKILL when the child ignores SIGTERM for longer than the grace period', async () => {
    const p = spawnWatched({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', "trap '' TERM; exec sleep 60"],
      outFile: join(dir, 'b.out'),
    })
    await stopProcess(p, { graceMs: 300 })
    expect(await p.exited).toEqual({ code: null, signal: 'SIGKILL' })
  })

  it('stops a bare pid (as the CLIs do with recorded pids)', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' })
    await stopProcess(child.pid!)
    await vi.waitFor(() => expect(child.exitCode !== null || child.signalCode !== null).toBe(true))
    expect(child.signalCode).toBe('SIGTERM')
  })

  it('the watchdog kills the child when its owner dies by SIGKILL', async () => {
    const owner = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { spawnWatched } from ${JSON.stringify(new URL('./watched-process.ts', import.meta.url).href)}
         const p = spawnWatched({ name: 'orphan', command: 'sleep', args: ['120'], outFile: ${JSON.stringify(join(dir, 'c.out'))} })
         console.log(p.pid)
         setInterval(() => {}, 1000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const pid = await new Promise<number>((resolve, reject) => {
      owner.stdout.setEncoding('utf8').once('data', (d: string) => resolve(Number(d)))
      owner.once('exit', (code) => reject(new Error(`owner exited early (${code})`)))
    })
    expect(isAlive(pid)).toBe(true)
    owner.kill('SIGKILL')
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 10_000, interval: 200 })
  }, 30_000)

  it('says which process could not be started and why', () => {
    expect(() =>
      spawnWatched({ name: 'ghost', command: 'no-such-command', args: [], outFile: join(dir, 'd.out') }),
    ).toThrow(`Could not start the ghost (no-such-command): spawn failed, see ${join(dir, 'd.out')}`)
  })
})
