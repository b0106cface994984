// DenseMap: small non-negative integer keys in an array, every other key in a Map, one answer.
import { expect, test } from 'vitest'
import { DenseMap } from './dense-map.ts'

test('keys of every kind map to their own values; absent keys give -1', () => {
  const m = new DenseMap<string | number>()
  const keys: (string | number)[] = [0, 1, 5000, 2 ** 24, 2 ** 40, -1, 1.5, '1', 'x', '']
  keys.forEach((k, i) => {
    expect(m.get(k)).toBe(-1)
    m.set(k, i)
  })
  keys.forEach((k, i) => {
    expect(m.get(k)).toBe(i)
  })
  expect(m.get(2)).toBe(-1)
  expect(m.get(4999)).toBe(-1)
  expect(m.get('5000')).toBe(-1)
  expect(m.get(2 ** 24 + 1)).toBe(-1)
})

test('values survive the array growing, and can be overwritten', () => {
  const m = new DenseMap<number>()
  m.set(3, 30)
  m.set(100_000, 7)
  m.set(3, 31)
  expect([m.get(3), m.get(100_000), m.get(99_999)]).toEqual([31, 7, -1])
})
