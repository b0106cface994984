// Builds POSIX sh command lines for Remote.exec: arguments are quoted only when they need it,
// so recorded commands in tests and logs stay readable.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/** Quotes one argument for POSIX sh. */
export function shq(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** Joins argv into one command line, each argument quoted as needed. */
export function sh(...argv: string[]): string {
  return argv.map(shq).join(' ')
}
