// toBeLinearizable: passes and fails with the checker's explanation, works with .not, treats
// "unknown" as a failure both ways, and accepts a history file path.
import { describe, expect, test } from 'vitest'
import type { Op } from '../../lib/history/op.ts'
import { reference } from '../../lib/history/testing/reference.ts'

/** A history from [process, type, f, value] rows. */
const hist = (rows: [number, Op['type'], string, unknown][]): Op[] =>
  rows.map(([process, type, f, value], index) => ({ index, time: index, process, type, f, value }))

const good = hist([
  [0, 'invoke', 'write', 1],
  [1, 'invoke', 'read', null],
  [0, 'ok', 'write', 1],
  [1, 'ok', 'read', 1],
])
const stale = hist([
  [0, 'invoke', 'write', 1],
  [0, 'ok', 'write', 1],
  [1, 'invoke', 'read', null],
  [1, 'ok', 'read', null],
])

describe('toBeLinearizable', () => {
  test('passes on a linearizable history and fails with the explanation otherwise', async () => {
    await expect(good).toBeLinearizable({ model: 'register' })
    await expect(expect(stale).toBeLinearizable({ model: 'register' })).rejects.toThrow(
      /p1 read null \(invoked at 2, ok at 3\) cannot be linearized[\s\S]*tried against state 1/,
    )
  })

  test('works with .not', async () => {
    await expect(stale).not.toBeLinearizable({ model: 'register' })
    await expect(expect(good).not.toBeLinearizable({ model: 'register' })).rejects.toThrow(/but it is/)
  })

  test('"unknown" fails with and without .not, saying it is unknown', async () => {
    const path = reference('knossos/data/cas-register/good/memstress3-14.edn')
    const opts = { model: 'cas-register', timeLimit: 0.000001 }
    await expect(expect(path).toBeLinearizable(opts)).rejects.toThrow(/could not decide \(valid: "unknown"\)/)
    await expect(expect(path).not.toBeLinearizable(opts)).rejects.toThrow(/could not decide/)
  })

  test('accepts a history file and names it in the message', async () => {
    const bad = reference('knossos/data/cas-register/bad/immediate-failure.edn')
    await expect(bad).not.toBeLinearizable()
    await expect(expect(bad).toBeLinearizable()).rejects.toThrow(`history: ${bad}`)
  })
})
