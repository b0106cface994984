import { describe, expect, test } from 'vitest'
import type { Op } from '../lib/history/op.ts'
import { checkSetFull } from './set-full.ts'

/** Builds a history from [process, type, f, value] rows in order. */
const h = (...rows: [number, Op['type'], string, unknown][]): Op[] =>
  rows.map(([process, type, f, value], index) => ({ index, time: index, process, type, f, value }))

describe('set-full', () => {
  test('acknowledged adds seen by every later read are stable', () => {
    const r = checkSetFull(
      h(
        [0, 'invoke', 'add', 1],
        [0, 'ok', 'add', 1],
        [1, 'invoke', 'add', 2],
        [1, 'ok', 'add', 2],
        [0, 'invoke', 'read', null],
        [0, 'ok', 'read', [1, 2]],
      ),
    )
    expect(r).toMatchObject({ valid: true, stable: 2, lost: [], unexpected: [] })
  })

  test('an acknowledged add missing from the final read is lost', () => {
    const r = checkSetFull(
      h(
        [0, 'invoke', 'add', 1],
        [0, 'ok', 'add', 1],
        [1, 'invoke', 'read', null],
        [1, 'ok', 'read', [1]],
        [1, 'invoke', 'read', null],
        [1, 'ok', 'read', []],
      ),
    )
    expect(r.valid).toBe(false)
    expect(r.lost).toEqual([1])
    expect(r.explanation).toMatch(/lost 1 element/)
  })

  test('an info add that a read showed and a later read dropped is lost too', () => {
    const r = checkSetFull(
      h(
        [0, 'invoke', 'add', 5],
        [0, 'info', 'add', 5],
        [1, 'invoke', 'read', null],
        [1, 'ok', 'read', [5]],
        [1, 'invoke', 'read', null],
        [1, 'ok', 'read', []],
      ),
    )
    expect(r.lost).toEqual([5])
  })

  test('a late appearance is stale: allowed, but not for a linearizable set', () => {
    const rows: [number, Op['type'], string, unknown][] = [
      [0, 'invoke', 'add', 1],
      [0, 'ok', 'add', 1],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', []],
      [1, 'invoke', 'read', null],
      [1, 'ok', 'read', [1]],
    ]
    expect(checkSetFull(h(...rows))).toMatchObject({ valid: true, stale: [1] })
    expect(checkSetFull(h(...rows), { linearizable: true })).toMatchObject({ valid: false, stale: [1] })
  })

  test('unexpected elements, never-read elements, and unknown without reads', () => {
    const r = checkSetFull(
      h([0, 'invoke', 'read', null], [0, 'ok', 'read', [9]], [1, 'invoke', 'add', 3], [1, 'ok', 'add', 3]),
    )
    expect(r).toMatchObject({ valid: false, unexpected: [9], neverRead: [3] })
    expect(checkSetFull(h([0, 'invoke', 'add', 1], [0, 'ok', 'add', 1])).valid).toBe('unknown')
  })

  test('a failed add that no read shows is fine; duplicate adds are rejected', () => {
    expect(
      checkSetFull(
        h([0, 'invoke', 'add', 1], [0, 'fail', 'add', 1], [0, 'invoke', 'read', null], [0, 'ok', 'read', []]),
      ).valid,
    ).toBe(true)
    expect(() =>
      checkSetFull(
        h([0, 'invoke', 'add', 1], [0, 'ok', 'add', 1], [0, 'invoke', 'add', 1], [0, 'ok', 'add', 1]),
      ),
    ).toThrow(/added twice/)
  })
})
