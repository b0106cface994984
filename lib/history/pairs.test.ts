import { describe, expect, test } from 'vitest'
import type { Op } from './op.ts'
import { byKey, byProcess, callValue, historyProblems, pairCalls } from './pairs.ts'

let i = 0
const o = (type: Op['type'], process: Op['process'], f: string, value?: unknown, key?: string): Op => ({
  index: i,
  time: i++ * 10,
  type,
  process,
  f,
  value,
  ...(key ? { key } : {}),
})

describe('pairCalls', () => {
  test('pairs invocations with completions and leaves crashed ones open', () => {
    i = 0
    const h = [
      o('invoke', 0, 'read', null),
      o('invoke', 1, 'write', 3),
      o('info', 'nemesis', 'start'),
      o('ok', 0, 'read', 3),
    ]
    const calls = pairCalls(h)
    expect(calls).toHaveLength(2)
    expect(calls[0].completion?.index).toBe(3)
    expect(callValue(calls[0])).toBe(3)
    expect(calls[1].completion).toBeUndefined()
    expect(callValue(calls[1])).toBe(3)
  })

  test('double invocation and orphan completions are errors naming the op', () => {
    i = 0
    expect(() => pairCalls([o('invoke', 0, 'read'), o('invoke', 0, 'read')])).toThrow(
      /op 1: process 0 invoked read while its op 0/,
    )
    i = 0
    expect(() => pairCalls([o('ok', 2, 'read')])).toThrow(/op 0: ok read for process 2/)
  })
})

test('byKey drops nemesis ops and keeps order; byProcess groups', () => {
  i = 0
  const h = [
    o('invoke', 0, 'w', 1, 'a'),
    o('invoke', 1, 'w', 2, 'b'),
    o('info', 'nemesis', 'kill'),
    o('ok', 0, 'w', 1, 'a'),
  ]
  expect([
    ...byKey(h)
      .get('a')!
      .map((x) => x.index),
  ]).toEqual([0, 3])
  expect(byKey(h).size).toBe(2)
  expect(byProcess(h).get('nemesis')).toHaveLength(1)
})

describe('historyProblems (DESIGN §3 contract)', () => {
  test('a well-formed history has none', () => {
    i = 0
    const h = [o('invoke', 0, 'r'), o('info', 0, 'r'), o('invoke', 2, 'r'), o('ok', 2, 'r')]
    expect(historyProblems(h, { complete: true })).toEqual([])
  })
  test('finds gaps, time going back, retired processes acting, unmatched and open ops', () => {
    const h: Op[] = [
      { index: 0, time: 5, type: 'invoke', process: 0, f: 'r' },
      { index: 2, time: 4, type: 'info', process: 0, f: 'r' },
      { index: 3, time: 6, type: 'invoke', process: 0, f: 'r' },
      { index: 4, time: 7, type: 'ok', process: 1, f: 'r' },
    ]
    const p = historyProblems(h, { complete: true })
    expect(p).toContain('op at position 1 has index 2 (indices must be dense from 0)')
    expect(p).toContain('op 2: time 4 goes back from 5')
    expect(p).toContain('op 3: process 0 acts after an info retired it')
    expect(p).toContain('op 4: ok without an open invocation for process 1')
    expect(p).toContain('op 3: invocation by process 0 never completed')
  })
})
