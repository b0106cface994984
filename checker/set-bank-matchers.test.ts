import { expect, test } from 'vitest'
import type { Op } from '../lib/history/op.ts'

const h = (...rows: [number, Op['type'], string, unknown][]): Op[] =>
  rows.map(([process, type, f, value], index) => ({ index, time: index, process, type, f, value }))

test('toBeValidSet passes a stable set, fails a lost element with the explanation, and works with .not', () => {
  const ok = h(
    [0, 'invoke', 'add', 1],
    [0, 'ok', 'add', 1],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', [1]],
  )
  const lost = h(
    [0, 'invoke', 'add', 1],
    [0, 'ok', 'add', 1],
    [1, 'invoke', 'read', null],
    [1, 'ok', 'read', []],
  )
  expect(ok).toBeValidSet()
  expect(lost).not.toBeValidSet()
  expect(() => expect(lost).toBeValidSet()).toThrow(
    /lost 1 element\(s\) after they were acknowledged or read: 1/,
  )
  expect(() => expect(h([0, 'invoke', 'add', 1], [0, 'ok', 'add', 1])).not.toBeValidSet()).toThrow(
    /could not decide/,
  )
})

test('toConserveBalances', () => {
  const read = (v: Record<string, number>): Op[] => h([0, 'invoke', 'read', null], [0, 'ok', 'read', v])
  expect(read({ 0: 60, 1: 40 })).toConserveBalances({ total: 100, accounts: [0, 1] })
  expect(() => expect(read({ 0: 60, 1: 41 })).toConserveBalances({ total: 100, accounts: [0, 1] })).toThrow(
    /balances sum to 101, not 100/,
  )
})
