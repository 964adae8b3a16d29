import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withFileLock } from './file-lock.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-process-lock-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const options = { timeoutMs: 60_000, what: 'the test install' }

describe('withFileLock', () => {
  it('runs one holder at a time and removes the lock afterwards', async () => {
    const lock = join(dir, 'serial.lock')
    const events: string[] = []
    const holder = (name: string) =>
      withFileLock(
        lock,
        async () => {
          events.push(`${name} in`)
          expect(await readFile(lock, 'utf8')).toBe(String(process.pid))
          await new Promise((r) => setTimeout(r, 50))
          events.push(`${name} out`)
        },
        options,
      )
    await Promise.all([holder('a'), holder('b')])
    // Either may win; the other enters only once the first is out.
    const [first, second] = events[0] === 'a in' ? ['a', 'b'] : ['b', 'a']
    expect(events).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`])
    await expect(readFile(lock, 'utf8')).rejects.toThrow(/ENOENT/)
  })

  it('breaks a lock whose holder process is gone', async () => {
    const lock = join(dir, 'dead.lock')
    const dead = spawnSync('true').pid
    await writeFile(lock, String(dead))
    let ran = false
    await withFileLock(
      lock,
      async () => {
        ran = true
      },
      options,
    )
    expect(ran).toBe(true)
  })

  it('gives up on a live holder after the timeout, naming it and the lock', async () => {
    const lock = join(dir, 'live.lock')
    await writeFile(lock, '1')
    await expect(
      withFileLock(lock, async () => {}, { timeoutMs: 300, what: 'the test install' }),
    ).rejects.toThrow(`waiting for the test install of pid 1 (${lock})`)
    expect(await readFile(lock, 'utf8')).toBe('1')
  })
})
