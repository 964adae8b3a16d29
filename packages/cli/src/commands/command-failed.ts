/** A command that could not do what it was asked, for a reason that is not bad input (exit 1). */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed'
}
