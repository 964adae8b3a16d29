/**
 * What the tool printed during a test file, for printed-commands-setup.ts to check. Kept apart from the
 * checker (which needs the CLI's parser) so that tests of any package can record without importing the CLI.
 */
const KEY = Symbol.for('flink-deploy.printed')
const store = globalThis as unknown as Record<symbol, string[] | undefined>

/** Output of a run of the tool, to look for the commands it prints. */
export function recordPrinted(text: string): void {
  const list = store[KEY] ?? []
  list.push(text)
  store[KEY] = list
}

/** The recorded output so far, emptied. */
export function takePrinted(): string[] {
  const list = store[KEY] ?? []
  store[KEY] = []
  return list
}
