// Registered in vitest.config.ts for the unit and flink projects: see printed-commands.ts.
import { afterAll, expect } from 'vitest'
import { refusedCommands } from './printed-commands.ts'
import { takePrinted } from './printed-record.ts'

afterAll(() => {
  const refused = refusedCommands(takePrinted())
  expect(refused, `commands the tool printed that the CLI refuses:\n${refused.join('\n')}`).toEqual([])
})
