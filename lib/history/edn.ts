// A small EDN reader for Jepsen/Knossos/Porcupine histories. Written here rather than taken from
// npm because the EDN packages there accept truncated or malformed input silently (returning
// null or a partial value), while a history reader must say which file and line is broken.
// Supports what histories use: nil/true/false, numbers (integers beyond 2^53 as exact bigints,
// e.g. TiKV timestamps), strings, keywords (read as plain strings), symbols, vectors, lists, sets
// (as arrays), maps (as objects), `;` comments, `#_` discard and tagged literals (the tag is
// dropped).

export class EdnSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message)
  }
}

/** A top-level form with the line it started on (1-based). */
export interface EdnForm {
  value: unknown
  line: number
}

const DELIMS = new Set(['(', ')', '[', ']', '{', '}', '"', ';'])
const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === ','

export class EdnReader {
  private pos = 0
  private line = 1

  constructor(private readonly text: string) {}

  /** Reads every top-level form. */
  readAll(): EdnForm[] {
    const forms: EdnForm[] = []
    for (;;) {
      this.skip()
      if (this.pos >= this.text.length) return forms
      const line = this.line
      forms.push({ value: this.read(), line })
    }
  }

  /** Calls `onItem` with each element of the single top-level vector or list, with its line. */
  readCollectionItems(onItem: (value: unknown, line: number) => void): void {
    this.skip()
    const open = this.text[this.pos]
    if (open !== '[' && open !== '(') throw this.error(`expected a vector or list of ops, found '${open}'`)
    const close = open === '[' ? ']' : ')'
    this.pos++
    for (;;) {
      this.skip()
      if (this.pos >= this.text.length) throw this.error(`unterminated ${open}: missing '${close}'`)
      if (this.text[this.pos] === close) {
        this.pos++
        break
      }
      const line = this.line
      onItem(this.read(), line)
    }
    this.skip()
    if (this.pos < this.text.length) throw this.error('unexpected text after the history')
  }

  private error(message: string): EdnSyntaxError {
    return new EdnSyntaxError(message, this.line)
  }

  private skip(): void {
    const t = this.text
    while (this.pos < t.length) {
      const c = t[this.pos]
      if (c === '\n') {
        this.line++
        this.pos++
      } else if (isSpace(c)) this.pos++
      else if (c === ';') {
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++
      } else if (c === '#' && t[this.pos + 1] === '_') {
        this.pos += 2
        this.read()
      } else return
    }
  }

  private read(): unknown {
    this.skip()
    const t = this.text
    if (this.pos >= t.length) throw this.error('unexpected end of input')
    const c = t[this.pos]
    switch (c) {
      case '[':
        this.pos++
        return this.readSeq(']')
      case '(':
        this.pos++
        return this.readSeq(')')
      case '{': {
        this.pos++
        const items = this.readSeq('}')
        if (items.length % 2 !== 0) throw this.error('map literal has an odd number of forms')
        const obj: Record<string, unknown> = {}
        for (let i = 0; i < items.length; i += 2) obj[String(items[i])] = items[i + 1]
        return obj
      }
      case '"':
        return this.readString()
      case ')':
      case ']':
      case '}':
        throw this.error(`unexpected '${c}'`)
      case '#': {
        this.pos++
        if (t[this.pos] === '{') {
          this.pos++
          return this.readSeq('}')
        }
        this.readToken() // tag name
        return this.read()
      }
      default:
        return this.readAtom()
    }
  }

  private readSeq(close: string): unknown[] {
    const out: unknown[] = []
    for (;;) {
      this.skip()
      if (this.pos >= this.text.length) throw this.error(`unterminated collection: missing '${close}'`)
      if (this.text[this.pos] === close) {
        this.pos++
        return out
      }
      out.push(this.read())
    }
  }

  /** A string literal, taken as slices between escapes (not char by char: less garbage). */
  private readString(): string {
    const t = this.text
    let from = ++this.pos
    let out = ''
    for (;;) {
      if (this.pos >= t.length) throw this.error('unterminated string')
      const c = t.charCodeAt(this.pos)
      if (c === 34 /* " */) {
        out += t.slice(from, this.pos++)
        return out
      }
      if (c === 10 /* \n */) this.line++
      if (c === 92 /* \\ */) {
        const e = t[this.pos + 1]
        out += t.slice(from, this.pos) + (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e)
        this.pos += 2
        from = this.pos
      } else this.pos++
    }
  }

  private readToken(): string {
    const t = this.text
    const start = this.pos
    while (this.pos < t.length && !isSpace(t[this.pos]) && !DELIMS.has(t[this.pos])) this.pos++
    return t.slice(start, this.pos)
  }

  private readAtom(): unknown {
    const tok = this.readToken()
    if (tok === '') throw this.error(`unexpected character '${this.text[this.pos]}'`)
    if (tok === 'nil') return null
    if (tok === 'true') return true
    if (tok === 'false') return false
    if (tok.startsWith(':')) return tok.slice(1)
    if (/^[+-]?\d+N?$/.test(tok)) {
      const n = Number(tok.replace(/N$/, ''))
      return Number.isSafeInteger(n) ? n : BigInt(tok.replace(/^\+|N$/g, ''))
    }
    if (/^[+-]?\d/.test(tok)) {
      const n = Number(tok.replace(/[NM]$/, ''))
      if (Number.isNaN(n)) throw this.error(`bad number '${tok}'`)
      return n
    }
    if (tok.startsWith('\\')) return tok.slice(1)
    return tok // symbol
  }
}
