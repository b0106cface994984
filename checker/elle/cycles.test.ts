// Cycle search: each cycle is reported once, even when several class searches find it.
import { expect, test } from 'vitest'
import type { Op } from '../../lib/history/op.ts'
import { checkConsistency } from './check.ts'
import { findCycles } from './cycles.ts'
import { EdgeList, Graph } from './graph.ts'
import type { Mop } from './types.ts'
import { RW, WR } from './types.ts'

const txnOps = (txns: Mop[][]): Op[] =>
  txns.map((value, index) => ({ index, time: index, process: index, type: 'ok', f: 'txn', value }))

test('a G-single cycle found by both the G-single-item and G2-item searches is reported once', () => {
  // T0 appends to x and y; T1 sees T0's x but not its y: T0 -wr-> T1 -rw-> T0.
  const h = txnOps([
    [
      ['append', 'x', 1],
      ['append', 'y', 1],
    ],
    [
      ['r', 'x', [1]],
      ['r', 'y', []],
    ],
  ])
  const r = checkConsistency(h, { models: ['serializable'] })
  expect(r.valid).toBe(false)
  expect(r.anomalyTypes).toEqual(['G-single-item'])
  expect(r.counts['G-single-item']).toBe(1)
  expect(r.anomalies['G-single-item'].map((a) => a.cycle)).toEqual([[1, 0, 1]])
})

test('rotations of one cycle count as the same cycle; distinct cycles are all kept', () => {
  const edges = new EdgeList()
  // Two disjoint G-single cycles: 0 -wr-> 1 -rw-> 0 and 2 -wr-> 3 -rw-> 2.
  edges.add(0, 1, WR)
  edges.add(1, 0, RW)
  edges.add(2, 3, WR)
  edges.add(3, 2, RW)
  const { cycles } = findCycles(new Graph(4, edges), [])
  const keys = cycles.map((c) => `${c.type}:${[...c.nodes].sort().join()}`)
  expect(new Set(keys).size).toBe(keys.length)
  expect(keys.sort()).toEqual(['G-single-item:0,1,1', 'G-single-item:2,3,3'])
})
