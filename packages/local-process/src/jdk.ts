import { join } from 'node:path'

/** A JDK tool (`java`, `javac`) from JAVA_HOME if set, else from PATH. */
export function jdkBinary(
  name: 'java' | 'javac',
  env: Record<string, string | undefined> = process.env,
): string {
  return env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', name) : name
}
