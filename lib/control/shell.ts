// POSIX shell quoting for commands sent to nodes over ssh.

/** Quote one word for sh: safe words stay as they are, others go in single quotes. */
export function quote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/** A command line from program and arguments, each quoted. */
export function commandLine(words: readonly string[]): string {
  return words.map(quote).join(' ')
}
