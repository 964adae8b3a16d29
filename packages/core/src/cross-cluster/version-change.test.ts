import { describe, expect, it } from 'vitest'
import { parseFlinkVersion } from '../client/version.ts'
import { versionChange } from './version-change.ts'

const change = (from: string, to: string) => versionChange(parseFlinkVersion(from)!, parseFlinkVersion(to)!)

describe('versionChange', () => {
  it('says what a move from 1.x to 2.x means for state, APIs and configuration', () => {
    const { notes, refusal } = change('1.20.5', '2.3.0')
    expect(refusal).toBeUndefined()
    expect(notes[0]).toBe(
      'Flink 1.20.5 to 2.3.0: a savepoint of 1.x restores in 2.x only if its state has no Kryo-serialised parts',
    )
    expect(notes.join('\n')).toMatch(
      /Kryo 2 to Kryo 5[\s\S]*Java collections[\s\S]*DataSet[\s\S]*configuration keys/,
    )
  })

  it('notes a newer minor version, and nothing for the same version', () => {
    expect(change('1.19.2', '1.20.5').notes).toEqual([
      'Flink 1.19.2 to 1.20.5: Flink restores savepoints of earlier versions; build green against 1.20.5',
    ])
    expect(change('2.3.0', '2.3.0')).toEqual({ notes: [] })
    expect(change('2.3.0', '2.3.1')).toEqual({ notes: [] })
  })

  it('refuses a move to an older minor version, not to another patch release', () => {
    expect(change('2.3.0', '1.20.5').refusal).toMatch(/the target runs Flink 1.20.5, older than blue's 2.3.0/)
    expect(change('1.20.5', '1.19.3').refusal).toMatch(/older than blue's 1.20.5/)
    expect(change('1.20.5', '1.20.4')).toEqual({ notes: [] })
  })
})
