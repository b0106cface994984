// Reads a history from disk in any of the formats DESIGN §3 accepts and normalises it to Op[]:
// JSON Lines (ours), Jepsen/Knossos `history.edn` (one vector or list of maps), Porcupine's kv
// EDN (one map per line) and Porcupine's etcd Jepsen logs. The format is detected from the
// content. Indices are made dense in file order; a missing `time` becomes the event index.
// Transaction timestamps (`ts`, DESIGN §3) become decimal strings: JSON strings, or EDN
// integers of any size. What no checker could pair is an input error too: a completion whose
// process has no open invocation, or an invocation while that process's previous one is open (a
// history of completions only, as Elle's tests write them, has nothing to pair and is accepted).
// Every error names the file and line.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { EdnReader, EdnSyntaxError } from './edn.ts'
import {
  COMMIT_MODES,
  type CommitMode,
  OP_TYPES,
  type Op,
  type OpType,
  type Process,
  type TxnTimestamps,
} from './op.ts'

export type HistoryFormat = 'jsonl' | 'edn' | 'edn-lines' | 'porcupine-log'

export class HistoryError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`)
  }
}

export function detectFormat(text: string): HistoryFormat | undefined {
  const first = text.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith(';'))
  if (first === undefined) return text.trim().startsWith(';') ? 'edn' : undefined
  const s = first.trim()
  if (s.startsWith('INFO') && s.includes('jepsen.util')) return 'porcupine-log'
  if (s.startsWith('{"') || s === '{}') return 'jsonl'
  if (s.startsWith('{:') || s.startsWith('{ :')) return 'edn-lines'
  if (s.startsWith('[') || s.startsWith('(')) return 'edn'
  return undefined
}

/** Resolves a store run directory (or `store/latest`) to its history file; files pass through. */
export function resolveHistoryPath(path: string): string {
  const st = statSync(path, { throwIfNoEntry: false })
  if (!st) throw new HistoryError(path, 0, 'no such file or directory')
  return st.isDirectory() ? join(path, 'history.jsonl') : path
}

export function readHistory(path: string): Op[] {
  const file = resolveHistoryPath(path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new HistoryError(file, 0, `cannot read: ${(e as Error).message}`)
  }
  return parseHistory(text, file)
}

export function parseHistory(text: string, file = '<input>'): Op[] {
  if (text.trim() === '') return []
  const format = detectFormat(text)
  switch (format) {
    case 'jsonl':
      return parseJsonl(text, file)
    case 'edn':
      return parseEdn(text, file)
    case 'edn-lines':
      return parseEdnLines(text, file)
    case 'porcupine-log':
      return parsePorcupineLog(text, file)
    default:
      throw new HistoryError(
        file,
        1,
        'unknown history format (expected JSON Lines, Jepsen history.edn, Porcupine kv EDN lines or a Porcupine etcd log)',
      )
  }
}

/** Builds a normalised op from a loosely typed record, or throws naming what is wrong. */
function toOp(raw: unknown, index: number, file: string, line: number): Op {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new HistoryError(file, line, `expected an op map, got ${JSON.stringify(raw)}`)
  const r = raw as Record<string, unknown>
  const type = r.type
  if (typeof type !== 'string' || !OP_TYPES.includes(type as OpType))
    throw new HistoryError(
      file,
      line,
      `op type must be one of ${OP_TYPES.join(', ')}; got ${JSON.stringify(type)}`,
    )
  let process: Process
  if (typeof r.process === 'number' && Number.isInteger(r.process)) process = r.process
  else if (r.process === 'nemesis') process = 'nemesis'
  else
    throw new HistoryError(
      file,
      line,
      `process must be an integer or "nemesis"; got ${JSON.stringify(r.process)}`,
    )
  if (typeof r.f !== 'string')
    throw new HistoryError(file, line, `f must be a string; got ${JSON.stringify(r.f)}`)
  const time = r.time === undefined ? index : r.time
  if (typeof time !== 'number' || !Number.isFinite(time))
    throw new HistoryError(file, line, `time must be a number; got ${JSON.stringify(r.time)}`)
  const op: Op = { index, time, type: type as OpType, process, f: r.f }
  if (r.key !== undefined && r.key !== null) op.key = String(r.key)
  if ('value' in r) op.value = r.value
  if (r.error !== undefined && r.error !== null)
    op.error = typeof r.error === 'string' ? r.error : JSON.stringify(r.error)
  if (typeof r.node === 'string') op.node = r.node
  if (r.ts !== undefined && r.ts !== null) op.ts = toTimestamps(r.ts, file, line)
  return op
}

/** A timestamp as a decimal string: a string of digits, a bigint, or an integer below 2^53. */
function decimal(v: unknown, field: string, file: string, line: number): string {
  if (typeof v === 'string' && /^\d+$/.test(v)) return v
  if (typeof v === 'bigint' && v >= 0n) return v.toString()
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v)
  const lossy = typeof v === 'number' && Number.isInteger(v) && v > 0
  throw new HistoryError(
    file,
    line,
    `${field} must be a non-negative integer as a decimal string; got ${JSON.stringify(v)}${lossy ? ' (a JSON number beyond 2^53 has lost its precision: write timestamps as strings)' : ''}`,
  )
}

function toTimestamps(raw: unknown, file: string, line: number): TxnTimestamps {
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new HistoryError(file, line, `ts must be a map {start, commit?, mode?}; got ${JSON.stringify(raw)}`)
  const r = raw as Record<string, unknown>
  const ts: TxnTimestamps = { start: decimal(r.start, 'ts.start', file, line) }
  if (r.commit !== undefined && r.commit !== null) ts.commit = decimal(r.commit, 'ts.commit', file, line)
  if (r.mode !== undefined && r.mode !== null) {
    if (!COMMIT_MODES.includes(r.mode as CommitMode))
      throw new HistoryError(
        file,
        line,
        `ts.mode must be one of ${COMMIT_MODES.join(', ')}; got ${JSON.stringify(r.mode)}`,
      )
    ts.mode = r.mode as CommitMode
  }
  return ts
}

/** EDN integers beyond 2^53 arrive as bigints: kept exact in `ts`, plain numbers elsewhere. */
function fromEdn(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return plainNumbers(raw)
  // Most ops hold no bigint and no oddly built object: the map itself will do (toOp copies it).
  if (Object.getPrototypeOf(raw) === Object.prototype) {
    let plain = true
    for (const k in raw)
      if (k !== 'ts' && !isPlain((raw as Record<string, unknown>)[k])) {
        plain = false
        break
      }
    if (plain) return raw
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, k === 'ts' ? v : plainNumbers(v)]))
}

/** True when plainNumbers(v) would give an equal copy: no bigint, no object with another prototype. */
function isPlain(v: unknown): boolean {
  if (typeof v === 'bigint') return false
  if (v === null || typeof v !== 'object') return true
  if (Array.isArray(v)) return v.every(isPlain)
  if (Object.getPrototypeOf(v) !== Object.prototype) return false
  for (const k in v) if (!isPlain((v as Record<string, unknown>)[k])) return false
  return true
}

function plainNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v)
  if (Array.isArray(v)) return v.map(plainNumbers)
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainNumbers(x)]))
  return v
}

/** Collects a file's ops in order, checking that each completion pairs with an invocation. */
class OpSink {
  readonly ops: Op[] = []
  /** Line of each client process's open invocation. */
  private readonly open = new Map<Process, number>()
  private invoked = false
  private orphan: { line: number; reason: string } | undefined

  constructor(private readonly file: string) {}

  add(raw: unknown, line: number): void {
    const op = toOp(raw, this.ops.length, this.file, line)
    this.ops.push(op)
    if (op.process === 'nemesis') return
    const openAt = this.open.get(op.process)
    if (op.type === 'invoke') {
      if (openAt !== undefined)
        throw new HistoryError(
          this.file,
          line,
          `process ${op.process} invokes ${op.f} while its invocation at line ${openAt} is still open`,
        )
      this.invoked = true
      this.open.set(op.process, line)
    } else if (openAt !== undefined) this.open.delete(op.process)
    else if (op.type !== 'info')
      // Jepsen logs info ops for processes with no open call (e.g. a crashed client's note).
      this.orphan ??= {
        line,
        reason: `orphan completion: ${op.type} ${op.f} of process ${op.process}, which has no open invocation`,
      }
  }

  done(): Op[] {
    if (this.invoked && this.orphan) throw new HistoryError(this.file, this.orphan.line, this.orphan.reason)
    return this.ops
  }
}

function parseJsonl(text: string, file: string): Op[] {
  const sink = new OpSink(file)
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]
    if (l.trim() === '') continue
    let raw: unknown
    try {
      raw = JSON.parse(l)
    } catch (e) {
      // A harness killed mid-write leaves at most one torn final line; say so plainly.
      const last = lines.slice(i + 1).every((x) => x.trim() === '')
      throw new HistoryError(
        file,
        i + 1,
        `${last ? 'truncated last line' : 'invalid JSON'}: ${(e as Error).message}`,
      )
    }
    sink.add(raw, i + 1)
  }
  return sink.done()
}

function parseEdn(text: string, file: string): Op[] {
  const sink = new OpSink(file)
  try {
    new EdnReader(text).readCollectionItems((v, line) => sink.add(fromEdn(v), line))
  } catch (e) {
    if (e instanceof EdnSyntaxError) throw new HistoryError(file, e.line, `EDN syntax error: ${e.message}`)
    throw e
  }
  return sink.done()
}

function parseEdnLines(text: string, file: string): Op[] {
  const sink = new OpSink(file)
  const flat = flatEdnLines(text)
  if (flat) {
    for (let i = 0; i < flat.maps.length; i++) sink.add(flat.maps[i], flat.lines[i])
    return sink.done()
  }
  try {
    for (const form of new EdnReader(text).readAll()) sink.add(fromEdn(form.value), form.line)
  } catch (e) {
    if (e instanceof EdnSyntaxError) throw new HistoryError(file, e.line, `EDN syntax error: ${e.message}`)
    throw e
  }
  return sink.done()
}

// Flat EDN maps, one per line, as Clojure prints them and Porcupine's kv logs hold them:
// `{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}`. Keyword keys; values
// nil, true, false, keywords, integers below 10^15 (no leading zeros) and strings without
// escapes, control characters or `:,{}`. A file made only of such lines (and empty ones) is
// rewritten to JSON and read by JSON.parse, which gives the same maps as the EDN reader (and
// fromEdn) at a fraction of the cost: `analyze` reads a history once, in a fresh process, where
// the reader's JavaScript has not been optimised yet (reading Porcupine's kv c50-ok took about
// 70 ms of CPU, now 26). Anything else goes to the EDN reader. Because no string holds `:,{}`, every `:word`
// outside a string is a keyword, keys are the ones after `{` or `, `, and ` nil` before `,` or
// `}` is nil.
const FLAT_VALUE = '(?:nil|true|false|:[a-z][a-z0-9-]*|"[^"\\\\\\x00-\\x1f:,{}]*"|-?(?:0|[1-9][0-9]{0,14}))'
const FLAT_LINE = new RegExp(
  `^\\{:[a-z][a-z0-9-]* ${FLAT_VALUE}(?:, :[a-z][a-z0-9-]* ${FLAT_VALUE})*\\}$`,
  'gm',
)

function flatEdnLines(text: string): { maps: unknown[]; lines: number[] } | undefined {
  if (!/^\n*$/.test(text.replace(FLAT_LINE, ''))) return undefined
  const json = text
    .replace(/ :([a-z][a-z0-9-]*)(?=[,}])/g, ' "$1"')
    .replace(/ nil(?=[,}])/g, ' null')
    .replace(/([{,] ?):([a-z][a-z0-9-]*) /g, '$1"$2":')
    .split('\n')
  const maps: string[] = []
  const lines: number[] = []
  for (let i = 0; i < json.length; i++)
    if (json[i] !== '') {
      maps.push(json[i])
      lines.push(i + 1)
    }
  return { maps: JSON.parse(`[${maps.join(',')}]`) as unknown[], lines }
}

// `INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]` (tabs or spaces). A completion whose value is a keyword (such
// as `:timed-out`) keeps the invocation's value and records the keyword as its error.
const LOG_LINE = /^INFO\s+jepsen\.util\s+-\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/

function parsePorcupineLog(text: string, file: string): Op[] {
  const sink = new OpSink(file)
  const open = new Map<Process, Op>()
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]
    if (l.trim() === '') continue
    const m = LOG_LINE.exec(l)
    if (!m)
      throw new HistoryError(
        file,
        i + 1,
        'not a Jepsen log line (INFO  jepsen.util - PROCESS\\tTYPE\\tF\\tVALUE)',
      )
    const [, p, t, f, v] = m
    let value: unknown
    try {
      value = plainNumbers(new EdnReader(v.trim() === '' ? 'nil' : v).readAll()[0]?.value ?? null)
    } catch (e) {
      throw new HistoryError(file, i + 1, `bad value '${v}': ${(e as Error).message}`)
    }
    const process = p === ':nemesis' ? 'nemesis' : Number(p)
    const raw: Record<string, unknown> = { process, type: t.replace(/^:/, ''), f: f.replace(/^:/, ''), value }
    const inv = open.get(process)
    if (t !== ':invoke' && inv && typeof value === 'string') {
      raw.value = inv.value
      raw.error = value
    }
    sink.add(raw, i + 1)
    const op = sink.ops[sink.ops.length - 1]
    if (op.type === 'invoke') open.set(process, op)
    else open.delete(process)
  }
  return sink.done()
}
