/**
 * V8 settings for the CLI's own process (the command line and the single executable; not the library, whose
 * host owns its process). A run is REST calls, small JSON and a jar streamed from disk, mostly waiting on
 * Flink: V8's defaults spend memory on speed it does not need. Each flag's saving below is on the peak RSS
 * of one upgrade against the fake Flink (`node bench/cli-footprint.ts`, small jar / 90 MB jar).
 *
 * Imported first by the entry points, so the flags are set before the wasm module, the heap growth and the
 * compilations they affect. Node 22.19 and 24 both know them.
 */
import { setFlagsFromString } from 'node:v8'

const FLAGS = [
  // undici parses HTTP with llhttp, in wasm. Its hot parse function soon tiers up to TurboFan, whose
  // compilation of that one huge state machine peaks at some 17 MiB (-18 / -14 MiB). The baseline (Liftoff)
  // code parses REST answers just as well; this tier-up budget (about bytes executed) is never spent.
  '--wasm-tiering-budget=2147483647',
  // The young generation doubles whenever many objects survive a scavenge, up to 2 x 8 MiB, all of it
  // touched in time: kept at its first 2 x 1 MiB (-7 / -7 MiB), for a few more scavenges.
  '--semi-space-growth-factor=1',
  // No optimising JavaScript compilers, Maglev and TurboFan (-2 / -4 MiB, and the 90 MB upload's peak no
  // longer varies by 2 MiB with when they start): the run takes no more CPU time without them. The
  // interpreter and the baseline compiler (Sparkplug) remain.
  '--no-maglev',
  '--no-opt',
]

for (const flag of FLAGS) setFlagsFromString(flag)
