// A small EDN reader for Jepsen/Knossos/Porcupine histories. Written here rather than taken from
// npm because the EDN packages there accept truncated or malformed input silently (returning
// null or a partial value), while a history reader must say which file and line is broken.
// Supports what histories use: nil/true/false, numbers (integers beyond 2^53 as exact bigints,
// e.g. TiKV timestamps), strings, keywords (read as plain strings), symbols, vectors, lists, sets
// (as arrays), maps (as objects), `;` comments, `#_` discard and tagged literals (the tag is
// dropped).
//
// It reads char codes through a class table rather than one-character strings, sets and
// regular expressions, and builds maps directly: `jepsen-tikv analyze` reads a history once, in
// a fresh process, so this code runs mostly before the JIT has optimised it, where fewer calls
// per character count (15-30% less CPU on Porcupine's kv logs and Knossos' largest history).

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

// Char classes (codes below 128; others are token characters).
const TOKEN = 0
const SPACE = 1
const DELIM = 2
const CLASS = new Uint8Array(128)
for (const c of ' \n\t\r,') CLASS[c.charCodeAt(0)] = SPACE
for (const c of '()[]{}";') CLASS[c.charCodeAt(0)] = DELIM
const charClass = (c: number): number => (c < 128 ? CLASS[c] : TOKEN)

const NL = 10
const QUOTE = 34
const HASH = 35
const PLUS = 43
const MINUS = 45
const ZERO = 48
const NINE = 57
const COLON = 58
const SEMI = 59
const BACKSLASH = 92
const UNDERSCORE = 95
const isDigit = (c: number) => c >= ZERO && c <= NINE

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
    const closeCode = close.charCodeAt(0)
    this.pos++
    for (;;) {
      this.skip()
      if (this.pos >= this.text.length) throw this.error(`unterminated ${open}: missing '${close}'`)
      if (this.text.charCodeAt(this.pos) === closeCode) {
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
    const n = t.length
    let pos = this.pos
    while (pos < n) {
      const c = t.charCodeAt(pos)
      if (c === NL) {
        this.line++
        pos++
      } else if (c < 128 && CLASS[c] === SPACE) pos++
      else if (c === SEMI) {
        while (pos < n && t.charCodeAt(pos) !== NL) pos++
      } else if (c === HASH && t.charCodeAt(pos + 1) === UNDERSCORE) {
        this.pos = pos + 2
        this.read()
        pos = this.pos
      } else break
    }
    this.pos = pos
  }

  private read(): unknown {
    this.skip()
    const t = this.text
    if (this.pos >= t.length) throw this.error('unexpected end of input')
    const c = t[this.pos]
    switch (c) {
      case '[':
        this.pos++
        return this.readSeq(93 /* ] */)
      case '(':
        this.pos++
        return this.readSeq(41 /* ) */)
      case '{':
        this.pos++
        return this.readMap()
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
          return this.readSeq(125 /* } */)
        }
        this.readToken() // tag name
        return this.read()
      }
      default:
        return this.readAtom()
    }
  }

  private readSeq(close: number): unknown[] {
    const out: unknown[] = []
    for (;;) {
      this.skip()
      if (this.pos >= this.text.length)
        throw this.error(`unterminated collection: missing '${String.fromCharCode(close)}'`)
      if (this.text.charCodeAt(this.pos) === close) {
        this.pos++
        return out
      }
      out.push(this.read())
    }
  }

  /** A map's forms, key then value, straight into an object (a later key wins). */
  private readMap(): Record<string, unknown> {
    const obj: Record<string, unknown> = {}
    let key: unknown
    let odd = false
    for (;;) {
      this.skip()
      if (this.pos >= this.text.length) throw this.error(`unterminated collection: missing '}'`)
      if (this.text.charCodeAt(this.pos) === 125 /* } */) {
        this.pos++
        if (odd) throw this.error('map literal has an odd number of forms')
        return obj
      }
      const v = this.read()
      if (odd) obj[String(key)] = v
      else key = v
      odd = !odd
    }
  }

  /** A string literal, taken as slices between escapes (not char by char: less garbage). */
  private readString(): string {
    const t = this.text
    const n = t.length
    let pos = this.pos + 1
    let from = pos
    let out = ''
    for (;;) {
      if (pos >= n) {
        this.pos = pos
        throw this.error('unterminated string')
      }
      const c = t.charCodeAt(pos)
      if (c === QUOTE) {
        out += t.slice(from, pos)
        this.pos = pos + 1
        return out
      }
      if (c === NL) this.line++
      if (c === BACKSLASH) {
        const e = t[pos + 1]
        out += t.slice(from, pos) + (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e)
        pos += 2
        from = pos
      } else pos++
    }
  }

  private readToken(): string {
    const t = this.text
    const n = t.length
    const start = this.pos
    let pos = start
    while (pos < n && charClass(t.charCodeAt(pos)) === TOKEN) pos++
    this.pos = pos
    return t.slice(start, pos)
  }

  private readAtom(): unknown {
    const tok = this.readToken()
    const len = tok.length
    if (len === 0) throw this.error(`unexpected character '${this.text[this.pos]}'`)
    const c0 = tok.charCodeAt(0)
    if (c0 === COLON) return tok.slice(1)
    if (tok === 'nil') return null
    if (tok === 'true') return true
    if (tok === 'false') return false
    // Numbers: [+-]? digit ...
    const signed = c0 === PLUS || c0 === MINUS
    if (isDigit(signed ? tok.charCodeAt(1) : c0)) {
      // An integer: [+-]?\d+N?
      let i = signed ? 1 : 0
      while (i < len && isDigit(tok.charCodeAt(i))) i++
      const bigSuffix = i === len - 1 && tok.charCodeAt(i) === 78 /* N */
      if (i === len || bigSuffix) {
        const digits = bigSuffix ? tok.slice(0, -1) : tok
        const n = Number(digits)
        return Number.isSafeInteger(n) ? n : BigInt(c0 === PLUS ? digits.slice(1) : digits)
      }
      const last = tok.charCodeAt(len - 1)
      const n = Number(last === 78 /* N */ || last === 77 /* M */ ? tok.slice(0, -1) : tok)
      if (Number.isNaN(n)) throw this.error(`bad number '${tok}'`)
      return n
    }
    if (c0 === BACKSLASH) return tok.slice(1)
    return tok // symbol
  }
}
