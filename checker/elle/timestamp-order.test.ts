// Timestamp order (CheckOptions.timestampOrder): T1 < T2 when T1's commit ts < T2's start ts.
// A cycle that exists only through that order is caught and explained in timestamps; without
// timestamps (or without the option) the same history is valid; timestamps are compared exactly
// beyond 2^53; histories from simulated stores with consistent timestamps stay valid, and the
// same stores with timestamps that contradict their reads are caught.
import { describe, expect, test } from 'vitest'
import type { Op, TxnTimestamps } from '../../lib/history/op.ts'
import { checkConsistency } from './check.ts'
import { ruledOut } from './models.ts'
import { simulate } from './testing/simulator.ts'
import type { Mop } from './types.ts'

// Three timestamps that differ only below the precision of a double (they round to one number).
const TS1 = '443762935392895012'
const TS2 = '443762935392895013'
const TS3 = '443762935392895014'

/**
 * T1 appends 3 to key 7 and commits at TS2; T2, invoked before T1 completed (so realtime does
 * not order them), starts at TS3 yet reads key 7 empty.
 */
function staleSnapshot(write: 'append' | 'w', ts: { t1?: TxnTimestamps; t2?: TxnTimestamps }): Op[] {
  const w: Mop = [write, 7, 3]
  const r: Mop = ['r', 7, null]
  const seen: Mop = ['r', 7, write === 'append' ? [] : null]
  const h: Op[] = [
    { index: 0, time: 0, type: 'invoke', process: 0, f: 'txn', value: [w] },
    { index: 1, time: 1, type: 'invoke', process: 1, f: 'txn', value: [r] },
    { index: 2, time: 2, type: 'ok', process: 0, f: 'txn', value: [w], ts: ts.t1 },
    { index: 3, time: 3, type: 'ok', process: 1, f: 'txn', value: [seen], ts: ts.t2 },
  ]
  for (const op of h) if (op.ts === undefined) delete op.ts
  return h
}

const ordered = { t1: { start: TS1, commit: TS2, mode: 'async-commit' as const }, t2: { start: TS3 } }

describe('a cycle only through timestamp order', () => {
  test('is caught as G-single-item-timestamp and explained in timestamps (list-append)', () => {
    const r = checkConsistency(staleSnapshot('append', ordered), {
      models: ['snapshot-isolation'],
      timestampOrder: true,
    })
    expect(r.valid).toBe(false)
    expect(r.anomalyTypes).toEqual(['G-single-item-timestamp'])
    expect(r.not).toEqual(['snapshot-isolation'])
    const [a] = r.anomalies['G-single-item-timestamp']
    expect(a.steps).toEqual([
      { from: 2, to: 3, type: 'timestamp', value: TS2, value2: TS3 },
      expect.objectContaining({ from: 3, to: 2, type: 'rw', key: 7 }),
    ])
    expect(a.explanation).toBe(
      [
        'G-single-item-timestamp: let T1 = op 2, T2 = op 3. Then:',
        `  - T1 < T2, because T1 committed at ts ${TS2} before T2 started at ts ${TS3}, so T2's snapshot includes T1.`,
        '  - However, T2 < T1, because T2 observed the initial (nil) state of 7, which T1 created by appending 3: a contradiction!',
      ].join('\n'),
    )
    expect(r.stats.timestamped).toBe(2)
  })

  test('is caught for rw-register too, and under serializable and strict-serializable', () => {
    for (const model of ['serializable', 'strict-serializable', 'strong-snapshot-isolation']) {
      const r = checkConsistency(staleSnapshot('w', ordered), { models: [model], timestampOrder: true })
      expect(r.anomalyTypes, model).toEqual(['G-single-item-timestamp'])
    }
  })

  test('the same history without timestamps, or without the option, is valid even strict-serializable', () => {
    const bare = staleSnapshot('append', {})
    expect(checkConsistency(bare, { models: ['strict-serializable'], timestampOrder: true }).valid).toBe(true)
    const r = checkConsistency(staleSnapshot('append', ordered), { models: ['strict-serializable'] })
    expect(r.valid, r.explanation).toBe(true)
  })

  test('a commit at the very timestamp a snapshot starts at orders nothing (strict "<")', () => {
    const tie = { t1: { start: TS1, commit: TS3 }, t2: { start: TS3 } }
    const r = checkConsistency(staleSnapshot('append', tie), {
      models: ['snapshot-isolation'],
      timestampOrder: true,
    })
    expect(r.valid, r.explanation).toBe(true)
  })

  test('models weaker than snapshot isolation do not promise timestamp order', () => {
    for (const model of ['read-committed', 'repeatable-read', 'consistent-view']) {
      const r = checkConsistency(staleSnapshot('append', ordered), { models: [model], timestampOrder: true })
      expect(r.valid, model).toBe(true)
      expect(r.anomalyTypes).toEqual([])
    }
    expect(ruledOut(['G-single-item-timestamp'], true)).toEqual({
      not: ['snapshot-isolation'],
      alsoNot: [
        'serializable',
        'strict-serializable',
        'strong-session-serializable',
        'strong-session-snapshot-isolation',
        'strong-snapshot-isolation',
      ],
    })
    expect(ruledOut(['G-single-item-timestamp']).not).toEqual([])
  })

  test('asking for the anomaly by name brings in the timestamp edges', () => {
    const r = checkConsistency(staleSnapshot('append', ordered), { models: null, anomalies: ['G-single'] })
    expect(r.anomalyTypes).toEqual([])
    const asked = checkConsistency(staleSnapshot('append', ordered), {
      models: null,
      anomalies: ['G-single-timestamp'],
    })
    expect(asked.anomalyTypes).toEqual(['G-single-item-timestamp'])
  })
})

describe('timestamps that cannot be ordered make the verdict unknown, naming the op', () => {
  test.each([
    [{ start: TS2, commit: TS1 }, `op 2: its commit ts ${TS1} is not after its start ts ${TS2}`],
    [{ start: 'soon' }, 'op 2: ts.start "soon" is not a decimal integer string'],
  ])('%j', (t1, problem) => {
    const r = checkConsistency(staleSnapshot('append', { t1: t1 as TxnTimestamps, t2: { start: TS3 } }), {
      models: ['snapshot-isolation'],
      timestampOrder: true,
    })
    expect(r.valid).toBe('unknown')
    expect(r.problems).toEqual([problem])
  })
})

describe.each(['list-append', 'rw-register'] as const)('simulated stores (%s)', (workload) => {
  const sim = (isolation: 'snapshot-isolation' | 'strict-serializable', seed: number) =>
    simulate({ workload, isolation, txns: 1500, concurrency: 8, keys: 4, seed, timestamps: true })

  test('with consistent timestamps stay valid under the models they provide', () => {
    for (const seed of [3, 7]) {
      const si = sim('snapshot-isolation', seed)
      expect(si.filter((op) => op.ts?.commit !== undefined).length).toBeGreaterThan(300)
      for (const model of ['snapshot-isolation', 'strong-snapshot-isolation']) {
        const r = checkConsistency(si, { models: [model], timestampOrder: true })
        expect(r.valid, `${model}, seed ${seed}: ${r.explanation}`).toBe(true)
      }
      const ss = sim('strict-serializable', seed)
      const r = checkConsistency(ss, { models: ['strict-serializable'], timestampOrder: true })
      expect(r.valid, `strict-serializable, seed ${seed}: ${r.explanation}`).toBe(true)
    }
  })

  test('the timestamp edges are a transitive reduction: a few per txn, not one per pair', () => {
    const h = sim('snapshot-isolation', 7)
    const without = checkConsistency(h, { models: ['snapshot-isolation'] }).stats
    const withTs = checkConsistency(h, { models: ['snapshot-isolation'], timestampOrder: true }).stats
    expect(withTs.edges).toBeGreaterThan(without.edges)
    expect(withTs.edges - without.edges).toBeLessThan(10 * without.txns)
  })

  test('the same store whose start timestamps claim later snapshots than its reads show is caught', () => {
    const h = sim('snapshot-isolation', 7)
    // Every txn claims to start after the last commit: its snapshot should then hold everything.
    const last = h.reduce(
      (m, op) => (op.ts?.commit && BigInt(op.ts.commit) > m ? BigInt(op.ts.commit) : m),
      0n,
    )
    const lying = h.map((op) =>
      op.ts && op.ts.commit === undefined ? { ...op, ts: { start: String(last + 1n) } } : op,
    )
    const r = checkConsistency(lying, { models: ['snapshot-isolation'], timestampOrder: true })
    expect(r.valid).toBe(false)
    expect(r.anomalyTypes.every((t) => t.endsWith('-timestamp'))).toBe(true)
    expect(r.anomalyTypes.length).toBeGreaterThan(0)
  })
})
