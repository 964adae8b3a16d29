/**
 * Installs moto's server from PyPI into a virtualenv under packages/local-s3/.cache, once per machine. The
 * virtualenv is built in a temporary folder and renamed into place, so concurrent installers (parallel test
 * workers, two terminals) never see a half-installed one: the first rename wins, the others discard theirs.
 */
import { createHash, randomBytes } from 'node:crypto'
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exec, isAlive, lastLines, withFileLock } from '@flink-deploy/local-process'
import { CACHE_DIR, CONSTRAINTS_FILE, MOTO_VERSION, pythonBinary } from './paths.ts'

export interface MotoInstallation {
  /** the virtualenv's python: runs the server as `python -m moto.server` */
  python: string
  /** the virtualenv folder */
  dir: string
}

const MARKER = 'installed.json'
const TEMP_NAME = /^moto-.+\.(\d+)\.[0-9a-f]+\.tmp$/

let inFlight: Promise<MotoInstallation> | undefined

/** Returns the cached moto virtualenv, installing it first when missing (~1 min cold, instant when cached). */
export function installMoto(options: { log?: (message: string) => void } = {}): Promise<MotoInstallation> {
  inFlight ??= doInstall(options.log ?? (() => {})).finally(() => {
    inFlight = undefined
  })
  return inFlight
}

async function doInstall(log: (message: string) => void): Promise<MotoInstallation> {
  const python = pythonBinary()
  const constraints = await readFile(CONSTRAINTS_FILE, 'utf8')
  // A new pin or interpreter gets a new folder: nothing installed earlier is ever modified in place.
  const key = createHash('sha256').update(`${python}\n${constraints}`).digest('hex').slice(0, 10)
  const dir = join(CACHE_DIR, `moto-${MOTO_VERSION}-${key}`)
  if (await isInstalled(dir)) return installation(dir)
  await mkdir(CACHE_DIR, { recursive: true })
  // one installer at a time: a second one would double a minute of pip on a small machine
  await withFileLock(
    `${dir}.lock`,
    async () => {
      if (!(await isInstalled(dir))) await installInto(dir, python, log)
    },
    { timeoutMs: 20 * 60_000, what: 'the moto install' },
  )
  return installation(dir)
}

async function installInto(dir: string, python: string, log: (message: string) => void): Promise<void> {
  await removeAbandonedTemps()
  const temp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const t0 = Date.now()
  log(`installing moto[server]==${MOTO_VERSION} from PyPI into ${dir} (once per machine)`)
  try {
    await run(python, ['-m', 'venv', temp], 'Creating the virtualenv', 120_000, venvHint(python))
    await run(
      join(temp, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--no-input',
        '--quiet',
        '--constraint',
        CONSTRAINTS_FILE,
        `moto[server]==${MOTO_VERSION}`,
      ],
      `Installing moto[server]==${MOTO_VERSION} with pip`,
      15 * 60_000,
      'pip needs PyPI (or PIP_INDEX_URL) to be reachable.',
    )
    await writeFile(join(temp, MARKER), `${JSON.stringify({ moto: MOTO_VERSION, python })}\n`)
    await moveIntoPlace(temp, dir)
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
  log(`moto ${MOTO_VERSION} installed in ${Date.now() - t0} ms`)
}

function installation(dir: string): MotoInstallation {
  return { dir, python: join(dir, 'bin', 'python') }
}

async function isInstalled(dir: string): Promise<boolean> {
  try {
    const marker = JSON.parse(await readFile(join(dir, MARKER), 'utf8')) as { moto?: string }
    await access(join(dir, 'bin', 'python'))
    return marker.moto === MOTO_VERSION
  } catch {
    return false
  }
}

/** Renames the finished virtualenv into place; if another process got there first, its copy is used. */
async function moveIntoPlace(temp: string, dir: string): Promise<void> {
  try {
    await rename(temp, dir)
    return
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e
  }
  if (await isInstalled(dir)) return
  // Not a finished install (those are only ever renamed in whole): a leftover from outside, replace it.
  await rm(dir, { recursive: true, force: true })
  await rename(temp, dir)
}

/** Temp folders of installers that died (killed test runs) are removed; live installers' are left alone. */
async function removeAbandonedTemps(): Promise<void> {
  for (const name of await readdir(CACHE_DIR)) {
    const pid = TEMP_NAME.exec(name)?.[1]
    if (pid && !isAlive(Number(pid))) await rm(join(CACHE_DIR, name), { recursive: true, force: true })
  }
}

async function run(command: string, args: string[], what: string, timeoutMs: number, hint: string) {
  let result: Awaited<ReturnType<typeof exec>>
  try {
    result = await exec(command, args, { timeoutMs, env: { ...process.env, PIP_NO_INPUT: '1' } })
  } catch (e) {
    throw new Error(`${what} failed: could not run ${command} (${(e as Error).message}). ${hint}`)
  }
  if (result.code !== 0) {
    const how = result.signal
      ? `was killed (${result.signal}; timeout ${timeoutMs} ms?)`
      : `exited ${result.code}`
    throw new Error(
      `${what} failed: ${command} ${args.join(' ')} ${how}. ${hint}\n${lastLines(result.output, 40)}`,
    )
  }
}

function venvHint(python: string): string {
  return (
    `Needs ${python} (3.9+, set PYTHON to use another) with the venv module ` +
    '(Debian/Ubuntu: apt-get install python3-venv).'
  )
}
