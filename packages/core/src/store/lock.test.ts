import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UpgradeLockedError } from './errors.ts'
import { acquireLock, isAlive, readLockHolder } from './lock.ts'

async function lockPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'flink-deploy-lock-')), 'locks', 'orders.lock')
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  const pid = child.pid!
  await new Promise((resolve) => child.on('exit', resolve))
  expect(isAlive(pid)).toBe(false)
  return pid
}

describe('upgrade lock', () => {
  it('is taken, named in the file, and released', async () => {
    const path = await lockPath()
    const lock = await acquireLock(path, { owner: 'ci job 42' })
    expect(lock.path).toBe(path)
    expect(lock.tookOverStaleLockFrom).toBeUndefined()
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      owner: 'ci job 42',
    })
    expect(await readLockHolder(path)).toEqual(lock.holder)
    await lock.release()
    expect(await readLockHolder(path)).toBeUndefined()
    await lock.release()
    const again = await acquireLock(path)
    await again.release()
  })

  it('a held lock is refused with who holds it, since when, and how to remove it', async () => {
    const path = await lockPath()
    const lock = await acquireLock(path, { owner: 'alice' })
    const error = await acquireLock(path, { owner: 'bob' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UpgradeLockedError)
    expect(error).toMatchObject({ code: 'UPGRADE_LOCKED', path, holder: lock.holder })
    const message = (error as Error).message
    expect(message).toContain('alice')
    expect(message).toContain(String(process.pid))
    expect(message).toContain(lock.holder.acquiredAt)
    expect(message).toContain(`remove ${path}`)
    await lock.release()
  })

  it('of concurrent acquirers exactly one wins', async () => {
    const path = await lockPath()
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => acquireLock(path, { owner: `run ${i}` })),
    )
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r) => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(7)
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UpgradeLockedError)
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release()
  })

  it('takes over a stale lock of a dead process on this host and says so', async () => {
    const path = await lockPath()
    const first = await acquireLock(path)
    await first.release()
    const pid = await deadPid()
    const stale = { pid, hostname: hostname(), owner: 'crashed run', acquiredAt: '2026-01-01T00:00:00.000Z' }
    await writeFile(path, JSON.stringify(stale))
    const lock = await acquireLock(path, { owner: 'new run' })
    expect(lock.tookOverStaleLockFrom).toEqual(stale)
    expect(await readLockHolder(path)).toMatchObject({ owner: 'new run', pid: process.pid })
    await lock.release()
  })

  it('of concurrent acquirers of a stale lock exactly one wins', async () => {
    const path = await lockPath()
    await acquireLock(path).then((l) => l.release())
    const pid = await deadPid()
    await writeFile(
      path,
      JSON.stringify({ pid, hostname: hostname(), owner: 'crashed', acquiredAt: '2026-01-01T00:00:00Z' }),
    )
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => acquireLock(path, { owner: `run ${i}` })),
    )
    const won = results.filter((r) => r.status === 'fulfilled')
    expect(won).toHaveLength(1)
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value
    expect(await readLockHolder(path)).toEqual(winner.holder)
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        code: 'UPGRADE_LOCKED',
        holder: winner.holder,
      })
    await winner.release()
  })

  it('of acquirers in separate processes exactly one wins, also over a stale lock', async () => {
    const path = await lockPath()
    await acquireLock(path).then((l) => l.release())
    const pid = await deadPid()
    await writeFile(
      path,
      JSON.stringify({ pid, hostname: hostname(), owner: 'crashed', acquiredAt: '2026-01-01T00:00:00Z' }),
    )
    // Each child tries once, reports, and holds what it got until its stdin closes.
    const script = `
      const { acquireLock } = await import(${JSON.stringify(new URL('./lock.ts', import.meta.url).href)})
      try {
        const lock = await acquireLock(process.argv[1], { owner: 'child ' + process.pid })
        console.log('won')
        process.stdin.resume()
        process.stdin.on('end', () => lock.release().then(() => process.exit(0)))
      } catch (e) {
        console.log(e.code)
        process.exit(0)
      }`
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--input-type=module', '-e', script, path], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    )
    const exited = children.map((c) => new Promise((resolve) => c.on('exit', resolve)))
    const outcomes = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = ''
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString()
              if (out.includes('\n')) resolve(out.trim())
            })
          }),
      ),
    )
    for (const child of children) child.stdin.end()
    await Promise.all(exited)
    expect(outcomes.sort()).toEqual(['UPGRADE_LOCKED', 'UPGRADE_LOCKED', 'UPGRADE_LOCKED', 'won'])
    expect(await readLockHolder(path)).toBeUndefined()
  }, 20_000)

  it('never takes over a lock from another host, even with a dead pid', async () => {
    const path = await lockPath()
    await acquireLock(path).then((l) => l.release())
    const pid = await deadPid()
    await writeFile(
      path,
      JSON.stringify({ pid, hostname: 'other-host', owner: 'ci', acquiredAt: '2026-01-01T00:00:00Z' }),
    )
    await expect(acquireLock(path)).rejects.toMatchObject({
      code: 'UPGRADE_LOCKED',
      holder: { hostname: 'other-host' },
    })
  })

  it('release removes only its own lock', async () => {
    const path = await lockPath()
    const lock = await acquireLock(path)
    // Someone removed it by hand and another run took it.
    const theirs = JSON.stringify({ pid: 1, hostname: 'other', owner: 'other run', acquiredAt: 'now' })
    await writeFile(path, theirs)
    await lock.release()
    expect(await readFile(path, 'utf8')).toBe(theirs)
  })

  it('an unreadable lock file is refused after a short grace period', async () => {
    const path = await lockPath()
    await acquireLock(path).then((l) => l.release())
    await writeFile(path, 'garbage')
    const error = await acquireLock(path).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UPGRADE_LOCKED', holder: undefined })
    expect((error as Error).message).toContain('not JSON')
    expect((error as Error).message).toContain(`remove ${path}`)
  })
})
