#!/usr/bin/env node
import './packaging/lean-v8.ts'
import module from 'node:module'

// Node keeps the compiled bundle between runs: most of a short command's start-up is compiling JavaScript.
module.enableCompileCache?.()
const { main } = await import('./cli.ts')
process.exitCode = await main(process.argv.slice(2))
