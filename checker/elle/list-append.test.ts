// List-append inference does not depend on how keys and appended values are spelled: small
// integers (array-indexed), huge or fractional numbers and strings (hashed), values shared
// between keys. The same history under each spelling gets the same verdict and cycles.
import { expect, test } from 'vitest'
import type { Op } from '../../lib/history/op.ts'
import { checkConsistency } from './check.ts'
import type { Elem, Key, Mop } from './types.ts'

/** Two txns per round: T0 appends a to x and y, T1 sees x but not y (G-single); then a valid
 *  append/read pair on key z. */
function history(key: (k: number) => Key, val: (v: number) => Elem): Op[] {
  const txns: Mop[][] = [
    [
      ['append', key(0), val(1)],
      ['append', key(1), val(1)],
    ],
    [
      ['r', key(0), [val(1)]],
      ['r', key(1), []],
    ],
    [['append', key(2), val(2)]],
    [['r', key(2), [val(2)]]],
  ]
  return txns.map((value, index) => ({ index, time: index, process: index, type: 'ok', f: 'txn', value }))
}

test('every spelling of keys and values gives the same anomalies', () => {
  const spellings: [string, (k: number) => Key, (v: number) => Elem][] = [
    ['small integers', (k) => k, (v) => v],
    ['huge integers', (k) => 2 ** 30 + k, (v) => 2 ** 40 + v],
    ['fractions and negatives', (k) => -k - 0.5, (v) => -v - 0.25],
    ['strings', (k) => `k${k}`, (v) => `v${v}`],
  ]
  for (const [name, key, val] of spellings) {
    const r = checkConsistency(history(key, val), { models: ['serializable'] })
    expect(r.valid, name).toBe(false)
    expect(r.anomalyTypes, name).toEqual(['G-single-item'])
    expect(r.counts, name).toEqual({ 'G-single-item': 1 })
    expect(r.anomalies['G-single-item'][0].cycle, name).toEqual([1, 0, 1])
    expect(r.stats.edges, name).toBe(3)
  }
})
