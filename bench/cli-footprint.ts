/**
 * What the published CLI costs a pipeline: its start to first output (`flink-deploy --help`) against a bare
 * `node -e 0` on this machine, and the peak RSS of one upgrade with a small jar and with a 90 MB one (Flink's
 * default upload limit is 100 MB). Runs the built bundle (dist/bin.js, rebuilt first) as a child process
 * against the fake Flink on loopback; the peak RSS is the child's own (VmHWM, read at its exit). Run:
 * `./run bench` or `node bench/cli-footprint.ts` (prints the figures; no assertions). BENCH_STARTS sets the
 * number of start-up runs.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serveFakeFlink } from '@flink-deploy/core/testing'
import { exec } from '@flink-deploy/local-process'
import { buildPackage, DIST } from '../packages/cli/src/packaging/build.ts'

const STARTS = Number(process.env.BENCH_STARTS ?? 20)
const BIN = join(DIST, 'bin.js')
// Written by the child when it exits: its peak resident set in kB. VmHWM, not getrusage's maxrss: on Linux
// a child's maxrss starts from its parent's size at the fork, and this process holds the fake's uploads.
const REPORT_RSS = `data:text/javascript,import{readFileSync as r}from'node:fs';process.on('exit',()=>process.stderr.write('peak-kb '+(/VmHWM:\\s+(\\d+)/.exec(r('/proc/self/status','utf8'))?.[1]??process.resourceUsage().maxRSS)+'\\n'))`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!

await buildPackage()

function wallMs(args: string[]): number {
  const start = performance.now()
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const ms = performance.now() - start
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`)
  return ms
}

// Alternate the two so a change in the machine's speed affects both alike; the first run fills the compile cache.
wallMs([BIN, '--help'])
const cli: number[] = []
const bare: number[] = []
for (let i = 0; i < STARTS; i++) {
  cli.push(wallMs([BIN, '--help']))
  bare.push(wallMs(['-e', '0']))
}
const cliMs = median(cli)
const bareMs = median(bare)
console.log(`CLI start to first output (flink-deploy --help, median of ${STARTS}, Node ${process.version})`)
console.log(`  flink-deploy --help  ${cliMs.toFixed(1)} ms`)
console.log(`  node -e 0            ${bareMs.toFixed(1)} ms`)
console.log(`  ratio                ${(cliMs / bareMs).toFixed(2)}x (limit 4x)`)

const dir = mkdtempSync(join(tmpdir(), 'bench-footprint-'))
const fake = await serveFakeFlink({ version: '2.3.0', timing: { programSecondMs: 20 } })

/** A file the fake takes for a jar: zip magic, then `bytes` of content written in 1 MiB pieces. */
function jar(name: string, bytes: number): string {
  const path = join(dir, name)
  const fd = openSync(path, 'w')
  writeSync(fd, Buffer.from('PK\x03\x04'))
  const piece = Buffer.alloc(1 << 20, name)
  for (let left = bytes; left > 0; left -= piece.length) writeSync(fd, piece, 0, Math.min(left, piece.length))
  closeSync(fd)
  return path
}

/** The fake answers from this process, so the CLI runs beside it (not spawnSync, which would block it). */
const runNode = (args: string[]) => exec(process.execPath, args, { cwd: dir })

async function upgradeRss(jarPath: string, job: string): Promise<number> {
  const run = await runNode([
    '--import',
    REPORT_RSS,
    BIN,
    'upgrade',
    '--flink-url',
    fake.url,
    '--job-name',
    job,
    '--jar',
    jarPath,
    '--args-json',
    JSON.stringify(['--name', job]),
    '--verify-stabilisation',
    '200ms',
    '--json',
  ])
  const kb = /peak-kb (\d+)/.exec(run.stderr)?.[1]
  if (run.code !== 0 || !kb) throw new Error(`upgrade failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
  return Number(kb) / 1024
}

console.log('\nPeak RSS of one upgrade (the CLI process; deploy, then an upgrade to the same job)')
for (const [label, bytes] of [
  ['small jar (1 KiB)', 1024],
  ['90 MB jar', 90 * 1_000_000],
] as const) {
  const job = `footprint-${bytes}`
  const path = jar(`${job}.jar`, bytes)
  await upgradeRss(path, job)
  // The second run is the upgrade proper: savepoint, a new upload (new content), restart, verification.
  const second = jar(`${job}-v2.jar`, bytes)
  const mb = await upgradeRss(second, job)
  console.log(`  ${label.padEnd(18)} ${mb.toFixed(1)} MiB (limit 80 MB)`)
}
await fake.close()
