import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

/** True if `pid` runs (a zombie counts as gone: in containers PID 1 may reap orphans late or never). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true
  }
}

/** The command line of a pid (empty when gone); used to make sure a pid from a state file is still ours. */
export async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ')
  } catch {
    return ''
  }
}
