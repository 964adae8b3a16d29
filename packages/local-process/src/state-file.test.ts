import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { stateFile } from './state-file.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-process-state-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

it('keeps records under their key, reads none when missing or unreadable, removes the file when empty', async () => {
  const path = join(dir, 'cache', 'running.json')
  const servers = stateFile<{ pid: number }>(path, 'servers')
  expect(await servers.read()).toEqual([])
  await servers.write([{ pid: 1 }, { pid: 2 }])
  expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ servers: [{ pid: 1 }, { pid: 2 }] })
  expect(await servers.read()).toEqual([{ pid: 1 }, { pid: 2 }])
  await servers.write([])
  await expect(readFile(path, 'utf8')).rejects.toThrow(/ENOENT/)
  await writeFile(path, 'not json')
  expect(await servers.read()).toEqual([])
})
