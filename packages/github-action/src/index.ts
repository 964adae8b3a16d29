// The Action's entry point (action.yml runs the bundle of this file): everything lives in run().
import { run } from './main.ts'

await run()
