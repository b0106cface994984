import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { detectFormat, HistoryError, parseHistory, readHistory } from './read.ts'
import { reference } from './testing/reference.ts'

describe('format detection and parsing', () => {
  test('JSON Lines, as the runner writes it', () => {
    const text =
      '{"index":0,"time":5,"type":"invoke","process":3,"f":"cas","key":"12","value":[1,4]}\n{"index":1,"time":9,"type":"ok","process":3,"f":"cas","key":"12","value":[1,4]}\n{"index":2,"time":10,"type":"info","process":"nemesis","f":"start-partition","value":{"n1":["n2"]}}\n'
    expect(detectFormat(text)).toBe('jsonl')
    const h = parseHistory(text)
    expect(h).toHaveLength(3)
    expect(h[0]).toEqual({
      index: 0,
      time: 5,
      type: 'invoke',
      process: 3,
      f: 'cas',
      key: '12',
      value: [1, 4],
    })
    expect(h[2].process).toBe('nemesis')
  })

  test('Jepsen history.edn: keywords, nil, :nemesis, comments, lists, extra keys', () => {
    const text =
      '; a comment\n({:type :invoke, :f :read, :value nil, :process 0, :time 100}\n {:type :ok, :f :read, :value 3, :process 0, :time 90, :error [:a nil]}\n {:type :info, :f :start, :process :nemesis})'
    const h = parseHistory(text)
    expect(h.map((o) => [o.index, o.type, o.f, o.value])).toEqual([
      [0, 'invoke', 'read', null],
      [1, 'ok', 'read', 3],
      [2, 'info', 'start', undefined],
    ])
    expect(h[1].error).toBe('["a",null]')
    expect(h[2]).toMatchObject({ process: 'nemesis', time: 2 })
  })

  test('Porcupine etcd logs, tab- or space-separated; keyword completions keep the invoke value', () => {
    const text =
      'INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]\nINFO  jepsen.util - 3\t:info\t:cas\t:timed-out\nINFO  jepsen.util - 1   :invoke :read  nil\nINFO  jepsen.util - 1   :ok :read  2\n'
    const h = parseHistory(text)
    expect(h[1]).toMatchObject({ type: 'info', f: 'cas', value: [1, 4], error: 'timed-out' })
    expect(h[3]).toMatchObject({ type: 'ok', f: 'read', value: 2, process: 1 })
  })

  test('transaction timestamps: decimal strings in JSONL, exact EDN integers of any size', () => {
    const ts = { start: '443762935392895012', commit: '443762935392895044', mode: 'async-commit' }
    const jsonl = parseHistory(
      `{"index":0,"time":1,"type":"invoke","process":0,"f":"txn","value":[]}\n{"index":1,"time":2,"type":"ok","process":0,"f":"txn","value":[],"ts":${JSON.stringify(ts)}}\n`,
    )
    expect(jsonl[1].ts).toEqual(ts)
    expect(jsonl[0].ts).toBeUndefined()
    const edn = parseHistory(
      '[{:type :invoke, :f :txn, :process 0, :value [[:r 1 nil]]}\n {:type :ok, :f :txn, :process 0, :value [[:r 1 9007199254740993]], :ts {:start 443762935392895012 :commit 443762935392895044N :mode :async-commit}}\n {:type :invoke, :f :txn, :process 1, :value []}\n {:type :fail, :f :txn, :process 1, :ts {:start 7}}]',
    )
    expect(edn[1].ts).toEqual(ts)
    expect(edn[3].ts).toEqual({ start: '7' })
    // Elsewhere a big integer stays a (rounded) number, as JSON would read it.
    expect(edn[1].value).toEqual([['r', 1, 9007199254740992]])
  })

  test('Porcupine kv EDN lines', () => {
    const h = parseHistory(
      '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}\n{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}\n',
    )
    expect(h[1]).toMatchObject({ key: '0', value: 'x 0 0 y', f: 'append', type: 'ok' })
  })

  test('flat EDN lines read as JSON give what the EDN reader gives', () => {
    // A comment line sends the same text to the EDN reader; `other` has what the fast path
    // leaves to the EDN reader (no commas, a string with a colon, a vector, a big integer).
    const other =
      '{:process 0 :type :invoke :f :put :key "a:b" :value [1 2]}\n{:process 0, :type :ok, :f :put, :value 12345678901234567890}\n'
    for (const text of [
      readFileSync(reference('porcupine/test_data/kv/c10-bad.txt'), 'utf8'),
      '{:process 0, :type :invoke, :f :get, :key "0", :value nil, :time -0}\n\n{:process 0, :type :ok, :f :get, :key "0", :value "x 0 0 y", :error :nil, :extra true}\n',
      other,
    ]) {
      const h = parseHistory(text)
      expect(h.length).toBeGreaterThan(0)
      expect(parseHistory(`${text};\n`)).toEqual(h)
      expect(Object.is(parseHistory(text)[0].time, -0)).toBe(text.includes(':time -0'))
    }
  })

  test('every peer history parses', () => {
    for (const f of [
      'porcupine/test_data/jepsen/etcd_000.log',
      'porcupine/test_data/jepsen/etcd_100.log',
      'porcupine/test_data/kv/c50-ok.txt',
      'knossos/data/cas-register/bad/rethink-fail.edn',
      'knossos/data/multi-register/good/multi-register.edn',
      'knossos/data/mutex/bad/etcd.edn',
    ])
      expect(readHistory(reference(f)).length, f).toBeGreaterThan(0)
  })
})

test('EDN strings keep their escapes and count the lines they span', () => {
  const h = parseHistory(
    '[{:type :invoke :process 1 :f :write :value "a\\"b\\nc\\\\d"}\n {:type :ok :process 1 :f :write :value "x\ny"}]',
  )
  expect(h.map((o) => o.value)).toEqual(['a"b\nc\\d', 'x\ny'])
  expect(() => parseHistory('[{:type :invoke :process 1 :f :write :value "x\ny}]', 'u.edn')).toThrow(
    /^u\.edn:2: EDN syntax error: unterminated string/,
  )
})

describe('errors name the file and the line', () => {
  const file = (text: string) => {
    const p = join(mkdtempSync(join(tmpdir(), 'jt-read-')), 'h.jsonl')
    writeFileSync(p, text)
    return p
  }
  const errorOf = (fn: () => unknown): HistoryError => {
    try {
      fn()
    } catch (e) {
      if (e instanceof HistoryError) return e
      throw e
    }
    throw new Error('expected a HistoryError')
  }

  test('bad op type in JSONL', () => {
    const p = file('{"type":"invoke","process":1,"f":"read"}\n{"type":"done","process":1,"f":"read"}\n')
    const e = errorOf(() => readHistory(p))
    expect(e.message).toBe(`${p}:2: op type must be one of invoke, ok, fail, info; got "done"`)
  })

  test('malformed transaction timestamps name the field', () => {
    const op = (ts: string) => `{"index":0,"time":1,"type":"ok","process":0,"f":"txn","ts":${ts}}\n`
    expect(() => parseHistory(op('{"start":443762935392895012}'), 'h.jsonl')).toThrow(
      /^h\.jsonl:1: ts\.start must be .*beyond 2\^53 has lost its precision/,
    )
    expect(() => parseHistory(op('{"start":"1","mode":"3pc"}'), 'h.jsonl')).toThrow(
      'h.jsonl:1: ts.mode must be one of 2pc, async-commit, 1pc; got "3pc"',
    )
    expect(() => parseHistory(op('{"start":"1","commit":"-2"}'), 'h.jsonl')).toThrow(/ts\.commit must be/)
    expect(() => parseHistory(op('[1,2]'), 'h.jsonl')).toThrow(/ts must be a map/)
  })

  test('a torn last line (killed writer) is named as truncated', () => {
    const p = file('{"type":"invoke","process":1,"f":"read"}\n{"type":"ok","proc')
    expect(errorOf(() => readHistory(p)).message).toMatch(/:2: truncated last line/)
  })

  test('unterminated EDN vector and odd maps', () => {
    expect(
      errorOf(() => parseHistory('[{:type :invoke :process 1 :f :read}\n {:type :ok', 'x.edn')).message,
    ).toMatch(/^x\.edn:2: EDN syntax error/)
    expect(errorOf(() => parseHistory('[{:type :invoke :process 1 :f}]', 'y.edn')).message).toMatch(
      /^y\.edn:1: EDN syntax error: map literal has an odd number/,
    )
  })

  test('an orphan completion and a second invocation of an open process name their lines', () => {
    const orphan = file(
      '{"type":"invoke","process":0,"f":"write","value":1}\n{"type":"ok","process":0,"f":"write","value":1}\n{"type":"ok","process":1,"f":"read","value":1}\n',
    )
    expect(errorOf(() => readHistory(orphan)).message).toBe(
      `${orphan}:3: orphan completion: ok read of process 1, which has no open invocation`,
    )
    expect(
      errorOf(() =>
        parseHistory('[{:type :invoke :process 2 :f :read}\n {:type :invoke :process 2 :f :read}]', 'd.edn'),
      ).message,
    ).toBe('d.edn:2: process 2 invokes read while its invocation at line 1 is still open')
  })

  test('completions without any invocation (the shape of Elle tests) and info notes of idle processes are accepted', () => {
    expect(
      parseHistory(
        '{"type":"ok","process":0,"f":"txn","value":[]}\n{"type":"ok","process":0,"f":"txn","value":[]}',
      ),
    ).toHaveLength(2)
    expect(
      parseHistory(
        '{"type":"invoke","process":0,"f":"read"}\n{"type":"info","process":3,"f":"read"}\n{"type":"ok","process":0,"f":"read"}',
      ),
    ).toHaveLength(3)
  })

  test('bad process and unknown format', () => {
    expect(errorOf(() => parseHistory('{"type":"ok","process":"p1","f":"read"}', 'z')).message).toContain(
      'process must be an integer or "nemesis"',
    )
    expect(errorOf(() => parseHistory('hello', 'w')).message).toMatch(/^w:1: unknown history format/)
    expect(errorOf(() => readHistory('/nonexistent/h.jsonl')).message).toContain('no such file')
  })
})
