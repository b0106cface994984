import { expect, test } from 'vitest'
import type { Op } from '../lib/history/op.ts'
import { checkBank } from './bank.ts'

const read = (index: number, balances: Record<string, number>): Op => ({
  index,
  time: index,
  process: 0,
  type: 'ok',
  f: 'read',
  value: balances,
})
const opts = { total: 100, accounts: [0, 1, 2] }

test('reads that conserve the total are valid', () => {
  const r = checkBank([read(0, { 0: 50, 1: 30, 2: 20 }), read(1, { 0: 40, 1: 40, 2: 20 })], opts)
  expect(r).toMatchObject({ valid: true, reads: 2, badReads: [] })
})

test('a wrong total, a negative balance and a missing account are each reported with the op', () => {
  const r = checkBank(
    [read(0, { 0: 50, 1: 30, 2: 21 }), read(1, { 0: 110, 1: -10, 2: 0 }), read(2, { 0: 100, 1: 0 })],
    opts,
  )
  expect(r.valid).toBe(false)
  expect(r.badReads.map((b) => [b.index, b.kind])).toEqual([
    [0, 'wrong-total'],
    [1, 'negative-balance'],
    [2, 'missing-account'],
  ])
  expect(r.explanation).toMatch(/first at op 0: balances sum to 101, not 100/)
  expect(checkBank([read(0, { 0: 110, 1: -10, 2: 0 })], { ...opts, negativeBalances: true }).valid).toBe(true)
})

test('no reads means unknown, never a pass', () => {
  expect(checkBank([], opts).valid).toBe('unknown')
})
