/**
 * Every command line the tool prints (recovery, resume, promote, reject and unlock hints, help examples) must
 * be one the CLI accepts. The test kits record what the CLI and the Action print (printed-record.ts); the
 * setup file (printed-commands-setup.ts) parses each `flink-deploy ...` line with the CLI's own parser after
 * each test file.
 */
import { parseCommandLine } from '../../packages/cli/src/cli.ts'
import { COMMANDS } from '../../packages/cli/src/commands.ts'

const NAMES = COMMANDS.map((c) => c.name)
const START = new RegExp(`flink-deploy (?:${NAMES.join('|')})(?=$|[\\s\x60])`, 'gm')

/** The `flink-deploy <command> ...` lines in a text: up to a closing backtick, a pipe, a comment or the end. */
export function printedCommands(text: string): string[] {
  const out: string[] = []
  for (const line of text.split('\n')) {
    for (const match of line.matchAll(START)) {
      const quoted = line[match.index - 1] === '`'
      let rest = line.slice(match.index)
      if (quoted) rest = rest.slice(0, rest.indexOf('`') < 0 ? undefined : rest.indexOf('`'))
      rest = rest
        .replace(/\s\[[^\]]*\]/g, '') // [--reason "..."]: optional, in the usage's own notation
        .split(/\s[|>#]\s/)[0]!
        .replace(/\s*\\$/, '') // a continued example line
        .replace(/[.)]+$/, '')
      out.push(rest.trim())
    }
  }
  return out
}

/** Words as a POSIX shell splits them: '...' literal, "..." with \" and \\, bare words with \ escapes. */
export function shellWords(line: string): string[] {
  const words: string[] = []
  let word: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === "'") {
      const end = line.indexOf("'", i + 1)
      word = (word ?? '') + line.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      let j = i + 1
      let text = ''
      for (; line[j] !== '"' && j < line.length; j++) text += line[j] === '\\' ? line[++j] : line[j]
      word = (word ?? '') + text
      i = j
    } else if (c === '\\') word = (word ?? '') + line[++i]
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else word = (word ?? '') + c
  }
  if (word !== undefined) words.push(word)
  return words
}

/** The printed commands the CLI refuses, with its message. */
export function refusedCommands(texts: readonly string[]): string[] {
  const refused: string[] = []
  for (const command of new Set(texts.flatMap(printedCommands))) {
    try {
      parseCommandLine(shellWords(command).slice(1))
    } catch (error) {
      refused.push(`${command}\n  → ${(error as Error).message}`)
    }
  }
  return refused
}
