/**
 * Entry point of the single executable. CommonJS has no top-level await, so the exit code is set when
 * main settles.
 */
import './lean-v8.ts'
import { main } from '../cli.ts'

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
