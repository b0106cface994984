// Shell quoting under the names lib/db first exported (the nemesis uses them); the one
// implementation is lib/control/shell.ts. New code should import from there.
import { commandLine, quote } from '../control/shell.ts'

/** Quotes one argument for POSIX sh. */
export const shq = quote

/** Joins argv into one command line, each argument quoted as needed. */
export function sh(...argv: string[]): string {
  return commandLine(argv)
}
