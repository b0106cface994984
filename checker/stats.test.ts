import { expect, test } from 'vitest'
import type { Op } from '../lib/history/op.ts'
import { checkStats } from './stats.ts'

const op = (index: number, type: Op['type'], f: string, process: Op['process'] = 0): Op => ({
  index,
  time: index,
  type,
  f,
  process,
})

test('counts completions by function and passes when every function succeeded once', () => {
  const r = checkStats([
    op(0, 'invoke', 'read'),
    op(1, 'ok', 'read'),
    op(2, 'invoke', 'write'),
    op(3, 'info', 'write'),
    op(4, 'invoke', 'write', 5),
    op(5, 'ok', 'write', 5),
    op(6, 'info', 'kill', 'nemesis'),
  ])
  expect(r.valid).toBe(true)
  expect(r.byF).toEqual({
    read: { count: 1, ok: 1, fail: 0, info: 0 },
    write: { count: 2, ok: 1, fail: 0, info: 1 },
  })
  expect(r.byF.kill).toBeUndefined()
})

test('fails when a function never succeeded, and when nothing completed', () => {
  const r = checkStats([
    op(0, 'invoke', 'cas'),
    op(1, 'fail', 'cas'),
    op(2, 'invoke', 'read'),
    op(3, 'ok', 'read'),
  ])
  expect(r.valid).toBe(false)
  expect(r.explanation).toBe('no cas operation ever succeeded (cas: 1 fail, 0 info)')
  expect(checkStats([]).valid).toBe(false)
})
