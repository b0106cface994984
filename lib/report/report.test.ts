// The report's data and views without a browser: timeline columns, quantiles and rates, the
// checker views (linearization, anomaly cycles), script-safe embedding and a self-contained page.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { checkStats } from '../../checker/stats.ts'
import type { Op } from '../history/op.ts'
import { checkerView } from './checkers.ts'
import { layoutCycle } from './cycle-graph.ts'
import { bucketWidth, quantile, reportData } from './data.ts'
import { syntheticHistory, writeSyntheticRun } from './fixture.ts'
import { jsonScript, scriptSafe, writeReport } from './report.ts'

const tmp = mkdtempSync(join(tmpdir(), 'report-test-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('reportData', () => {
  const h: Op[] = [
    { index: 0, time: 0, type: 'invoke', process: 0, f: 'write', value: 1 },
    { index: 1, time: 1e6, type: 'invoke', process: 1, f: 'read' },
    { index: 2, time: 3e6, type: 'ok', process: 0, f: 'write', value: 1 },
    { index: 3, time: 4e6, type: 'info', process: 'nemesis', f: 'start-partition' },
    { index: 4, time: 5e6, type: 'info', process: 1, f: 'read', error: 'timeout' },
    { index: 5, time: 6e6, type: 'invoke', process: 3, f: 'read' },
    { index: 6, time: 7e6, type: 'ok', process: 3, f: 'read', value: 1 },
    { index: 7, time: 8e6, type: 'info', process: 'nemesis', f: 'stop-partition' },
  ]

  test('puts calls in columns, one row per worker, with outcomes and texts', () => {
    const d = reportData(h, { concurrency: 2 })
    expect(d.timeline.rows).toEqual(['worker 0', 'worker 1'])
    expect(d.timeline.row).toEqual([0, 1, 1]) // process 3 is worker 1 after process 1 crashed
    expect(d.timeline.start).toEqual([0, 1, 6])
    expect(d.timeline.end).toEqual([3, 5, 7])
    expect(d.timeline.type).toEqual([0, 2, 0])
    expect(d.timeline.text).toEqual(['1', ' (timeout)', '1'])
    expect(d.periods).toEqual([expect.objectContaining({ fault: 'partition', start: 4, end: 8 })])
    expect(d.duration).toBe(8)
  })

  test('marks map any history index of a call (invocation or completion) to that call', () => {
    const d = reportData(h, {
      marks: [
        { index: 4, label: 'x' },
        { index: 5, label: 'y' },
        { index: 3, label: 'nemesis' },
      ],
    })
    expect(d.marks).toEqual([
      { call: 1, index: 4, label: 'x' },
      { call: 2, index: 5, label: 'y' },
    ])
    expect(d.timeline.index).toEqual([0, 1, 5])
  })

  test('rows per process when the concurrency is unknown', () => {
    expect(reportData(h).timeline.rows).toEqual(['process 0', 'process 1', 'process 3'])
  })

  test('quantiles and rates per bucket cover every completion', () => {
    const d = reportData(syntheticHistory({ ops: 4000, seed: 3 }), { concurrency: 5 })
    const completed = d.timeline.type.filter((t) => t < 3).length
    const rateSum = ['ok', 'fail', 'info'].reduce(
      (n, k) => n + d.perf.rate[k as 'ok'].reduce((a, b) => a + b, 0) * d.perf.bucket,
      0,
    )
    expect(Math.round(rateSum)).toBe(completed)
    const { p50, p99, max } = d.perf.quantiles
    for (let i = 0; i < p50.length; i++)
      if (p50[i] !== null) expect(p50[i]!).toBeLessThanOrEqual(p99[i]! && max[i]!)
    expect(d.periods.length).toBe(4)
  })

  test('quantile is nearest-rank and bucket widths are round', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2)
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4)
    expect(bucketWidth(60)).toBe(0.5)
    expect(bucketWidth(1000)).toBe(5)
  })
})

describe('checker views', () => {
  test('a linearizable failure becomes the prefix with states and the op that breaks it', () => {
    const v = checkerView('linearizable', {
      valid: false,
      checker: 'linearizable',
      failure: {
        key: '7',
        op: { process: 2, f: 'read', value: 3, index: 9, completeIndex: 12 },
        prefix: [{ op: { process: 1, f: 'write', value: 1, index: 4, completeIndex: null }, state: '1' }],
        initialState: 'null',
        states: ['1'],
      },
    })
    expect(v.linearization).toEqual([
      {
        key: '7',
        explanation: undefined,
        op: expect.objectContaining({ index: 9, process: '2', f: 'read', value: '3', type: 'ok' }),
        prefix: [expect.objectContaining({ index: 4, f: 'write', type: 'info', state: '1' })],
        prefixLength: 1,
        initialState: 'null',
        states: ['1'],
      },
    ])
  })

  test('an anomaly with a cycle gets steps and a graph with one node per txn and one edge per step', () => {
    const v = checkerView(
      'list-append',
      {
        valid: false,
        checker: 'list-append',
        anomalies: [
          {
            type: 'G-single',
            explanation: 'T1 < T2 < T1',
            cycle: [11, 12, 11],
            steps: [
              { from: 11, to: 12, type: 'wr', key: 'x', value: 3 },
              { from: 12, to: 11, type: 'rw', key: 'x', value: 3, value2: 4 },
            ],
          },
        ],
      },
      (i) => ({ index: i, time: i, type: 'ok', process: 0, f: 'txn', value: [['append', 'x', i]] }),
    )
    const [a] = v.anomalies
    expect(a.type).toBe('G-single')
    expect(a.steps.map((s) => [s.from, s.to, s.edge, s.value])).toEqual([
      ['T1', 'T2', 'wr', '3'],
      ['T2', 'T1', 'rw', '3 → 4'],
    ])
    expect(a.txns).toEqual([
      { name: 'T1', op: '11', text: '[["append","x",11]]', ts: undefined },
      { name: 'T2', op: '12', text: '[["append","x",12]]', ts: undefined },
    ])
    expect(a.graph?.nodes.map((n) => [n.id, n.note])).toEqual([
      ['T1', 'op 11'],
      ['T2', 'op 12'],
    ])
    expect(a.graph?.edges.map((e) => e.label)).toEqual(['wr x=3', 'rw x=3 → 4'])
  })

  test('a timestamp-order step is labelled "commit ts < start ts"; each txn shows its timestamps', () => {
    const ts: Record<number, Op['ts']> = {
      11: { start: '443762935392895012', commit: '443762935392895013', mode: 'async-commit' },
      12: { start: '443762935392895014' },
    }
    const v = checkerView(
      'list-append',
      {
        valid: false,
        checker: 'list-append',
        anomalies: {
          'G-single-item-timestamp': [
            {
              steps: [
                { from: 11, to: 12, type: 'timestamp', value: ts[11]?.commit, value2: ts[12]?.start },
                { from: 12, to: 11, type: 'rw', key: 'x', value: null, value2: 3 },
              ],
            },
          ],
        },
      },
      (i) => ({ index: i, time: i, type: 'ok', process: 0, f: 'txn', value: [], ts: ts[i] }),
    )
    const [a] = v.anomalies
    expect(a.graph?.edges.map((e) => e.label)).toEqual(['timestamp …895013 < …895014', 'rw x=nil → 3'])
    expect(a.txns.map((t) => t.ts)).toEqual([
      'ts 443762935392895012 → 443762935392895013 (async-commit)',
      'ts 443762935392895014 (no commit)',
    ])
  })

  test('anomalies keyed by type are listed under that type', () => {
    const v = checkerView('rw-register', {
      valid: false,
      checker: 'rw-register',
      anomalies: { G1a: [{ op: 3 }] },
    })
    expect(v.anomalies.map((a) => [a.type, a.steps.length])).toEqual([['G1a', 0]])
  })
})

test('cycle layout keeps every node and label inside the picture', () => {
  const steps = ['ww', 'wr', 'rw', 'realtime', 'process'].map((edge, i) => ({
    from: `T${i}`,
    to: `T${(i + 1) % 5}`,
    edge,
  }))
  const g = layoutCycle(steps)
  for (const n of g.nodes) {
    expect(n.x - g.r).toBeGreaterThanOrEqual(0)
    expect(n.y - g.r).toBeGreaterThanOrEqual(g.top)
    expect(n.y + g.r).toBeLessThanOrEqual(g.top + g.height)
  }
  for (const e of g.edges) {
    expect(e.lx).toBeGreaterThan(0)
    expect(e.ly).toBeGreaterThan(g.top)
    expect(e.ly).toBeLessThan(g.top + g.height)
  }
})

test('embedded text cannot close its <script> element', () => {
  expect(scriptSafe('a</script><script>x')).not.toMatch(/<\/script/i)
  expect(jsonScript({ s: '</script>' })).not.toContain('<')
  expect(JSON.parse(jsonScript({ s: '</script>' }))).toEqual({ s: '</script>' })
})

test('writeReport writes a self-contained page: inline assets, embedded data, relative log links', () => {
  const { run } = writeSyntheticRun(tmp, { ops: 1000 })
  const html = readFileSync(writeReport(run.dir), 'utf8')
  // Nothing that would load from the network (uPlot's licence comment names its home page).
  expect(html).not.toMatch(/<(script|img|iframe)[^>]+src=|<link[^>]+href=|url\(\s*['"]?https?:|@import/)
  expect(html).toContain('uPlot')
  expect(html).toContain('<script type="application/json" id="report-data">')
  expect(html).toContain('href="nodes/n1/etcd.log"')
})

test('a run with only a history still gets a report, saying it has not been checked', () => {
  const dir = join(tmp, 'bare', 'run1')
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'history.jsonl'),
    `${JSON.stringify({ index: 0, time: 0, type: 'invoke', process: 0, f: 'read' })}\n`,
  )
  const html = readFileSync(writeReport(dir), 'utf8')
  expect(html).toContain('No results.json: the run has not been checked.')
  expect(html).toContain('not checked')
})

test('the availability table shows each node outside and inside fault windows, and who starved', () => {
  const h: Op[] = []
  for (let i = 0; i < 300; i++) {
    const t = i / 10
    for (const [p, node] of ['n1', 'n2'].entries()) {
      const down = node === 'n2' && t >= 10 && t < 20
      h.push({ index: 0, time: t * 1e9, type: 'invoke', process: p, f: 'read' })
      h.push({ index: 0, time: t * 1e9 + 1e6, type: down ? 'fail' : 'ok', process: p, f: 'read', node })
    }
  }
  h.push({ index: 0, time: 10e9, type: 'info', process: 'nemesis', f: 'start-partition' })
  h.push({ index: 0, time: 20e9, type: 'info', process: 'nemesis', f: 'stop-partition' })
  h.sort((a, b) => a.time - b.time).forEach((op, i) => {
    op.index = i
  })
  const stats = checkStats(h)
  const { run } = writeSyntheticRun(tmp, { history: h, results: { valid: true, checkers: { stats } } })
  const html = readFileSync(writeReport(run.dir), 'utf8')
  const table = html.slice(html.indexOf('id="availability"'))
  expect(table).toContain('<th>10.0–20.0 s partition</th>')
  expect(table).toMatch(/<td>n1<\/td><td>10\.\d<\/td><td>10\.\d<\/td><td>(99|100)%<\/td><td>10\.\d<\/td>/)
  expect(table).toMatch(/<td>n2<\/td><td>10\.\d<\/td><td>0\.0<\/td><td>0%<\/td><td>0\.0<\/td>/)
  const starved = checkStats(
    h.filter((op) => !(op.node === 'n2' && op.time > 25e9)),
    { minGapS: 3 },
  )
  const again = writeSyntheticRun(tmp, {
    history: h,
    results: { valid: 'unknown', checkers: { stats: starved } },
  })
  expect(readFileSync(writeReport(again.run.dir), 'utf8')).toMatch(
    /<p class="starved">node n2 completed no ok op from 2\d\.\d s/,
  )
})

test('writeReport names the missing history', () => {
  expect(() => writeReport(join(tmp, 'nope'))).toThrow(/nope\/history\.jsonl does not exist/)
})

test('transactional runs show their options, the commit protocols used, and each op its timestamps', () => {
  const dir = join(tmp, 'txn', 'run1')
  mkdirSync(dir, { recursive: true })
  const committed = (i: number, mode?: 'async-commit' | '1pc') => ({
    start: String(443762935392895000n + BigInt(2 * i)),
    commit: String(443762935392895001n + BigInt(2 * i)),
    ...(mode ? { mode } : {}),
  })
  const h: Op[] = []
  for (let i = 0; i < 4; i++) {
    h.push({ index: h.length, time: h.length, type: 'invoke', process: 0, f: 'txn', value: [] })
    h.push({
      index: h.length,
      time: h.length,
      type: 'ok',
      process: 0,
      f: 'txn',
      value: [],
      ts: committed(i, i < 3 ? 'async-commit' : undefined),
    })
  }
  writeFileSync(join(dir, 'history.jsonl'), `${h.map((o) => JSON.stringify(o)).join('\n')}\n`)
  const test = {
    name: 'bank',
    workload: 'bank',
    nemesis: [],
    db: 'tikv',
    seed: 1,
    startedAt: 'now',
    nodes: [],
    versions: {},
  }
  const options = { db: 'tikv', txnMode: 'pessimistic', asyncCommit: true, onePc: true, timestampOrder: true }
  writeFileSync(join(dir, 'test.json'), JSON.stringify({ ...test, options }))
  const html = readFileSync(writeReport(dir), 'utf8')
  expect(html).toContain(
    '<th>transactions</th><td>pessimistic, async commit, 1PC; checked in timestamp order</td>',
  )
  expect(html).toContain(
    '<th>commits</th><td>4 committed with a commit timestamp: async-commit 3 (75.0%), unknown 1 (25.0%)</td>',
  )
  expect(reportData(h).timeline.ts[0]).toBe('ts 443762935392895000 → 443762935392895001 (async-commit)')
})
