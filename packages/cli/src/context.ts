/** What a command gets to run: its settings, positionals, and the (redacting) process around it. */
import { isAbsolute, relative } from 'node:path'
import type { Io, OutputStream } from './io.ts'
import type { Resolved, SettingKey } from './settings.ts'

export interface CommandContext {
  /** `upgrade`, `jars prune`... */
  command: string
  settings: Resolved
  positionals: string[]
  io: Io
  stdout: OutputStream
  stderr: OutputStream
}

export function value<T>(ctx: CommandContext, key: SettingKey): T | undefined {
  return ctx.settings.values[key] as T | undefined
}

/** A path as a person would type it from the working directory. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

/** Quotes a word for a shell command line shown to the user. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`
}
