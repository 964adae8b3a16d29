// Registered in vitest.config.ts for the unit and flink projects: see printed-commands.ts.
import { afterAll, expect } from 'vitest'
import { refusedCommands, takePrinted } from './printed-commands.ts'

afterAll(() => {
  const refused = refusedCommands(takePrinted())
  expect(refused, `commands the tool printed that the CLI refuses:\n${refused.join('\n')}`).toEqual([])
})
