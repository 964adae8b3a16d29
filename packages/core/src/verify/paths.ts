/**
 * Flink reports snapshot locations in its own spelling: `file:/x` where a user wrote `file:///x` or `/x`,
 * without the `/_metadata` file, without a trailing slash. Comparing the path green restored from with the
 * savepoint taken needs one spelling.
 */
export function normaliseSnapshotPath(path: string): string {
  let p = path.trim()
  // A bare absolute path is on Flink's default file system, which is local unless configured otherwise.
  if (p.startsWith('/')) p = `file:${p}`
  // file:///x, file://localhost/x and file:/x are the same local path.
  p = p.replace(/^file:\/{3,}/i, 'file:/')
  p = p.replace(/^file:\/\/localhost(?=\/)/i, 'file:')
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(p)
  if (scheme) p = `${scheme[1]!.toLowerCase()}${p.slice(scheme[1]!.length)}`
  p = p.replace(/\/_metadata\/*$/, '')
  p = p.replace(/\/+$/, '')
  return p
}

export function sameSnapshotPath(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false
  return normaliseSnapshotPath(a) === normaliseSnapshotPath(b)
}
