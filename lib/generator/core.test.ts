// The generator protocol on plain values: op maps are one-shot and filled in from the context,
// arrays run in order, functions are called afresh, null is exhausted, and a map with no free
// thread is pending.
import { describe, expect, test } from 'vitest'
import type { Op } from '../history/op.ts'
import type { Context } from './context.ts'
import { limit } from './control.ts'
import { op, PENDING, sequence } from './core.ts'
import { Rng } from './random.ts'
import { simulate } from './simulate.ts'

const ctx = (free: number[], time = 5): Context => ({
  time,
  threads: [0, 1, 2, 'nemesis'],
  free,
  workers: new Map<number | 'nemesis', number | 'nemesis'>([
    [0, 0],
    [1, 7],
    [2, 2],
    ['nemesis', 'nemesis'],
  ]),
  concurrency: 3,
  rng: new Rng(1),
})

const invokes = (h: Op[]) => h.filter((o) => o.type === 'invoke')

describe('plain values as generators', () => {
  test('an op map yields one op filled in with a free process, the time and type invoke', () => {
    const step = op({ f: 'read', key: 'k' }, ctx([1]))
    expect(step).toEqual([{ type: 'invoke', process: 7, time: 5, f: 'read', key: 'k' }, null])
  })

  test('an op map keeps its own type, process and time', () => {
    const step = op({ f: 'start', type: 'info', process: 'nemesis', time: 9 }, ctx([0]))
    expect(step?.[0]).toEqual({ type: 'info', process: 'nemesis', time: 9, f: 'start' })
  })

  test('an op map with no free thread is pending and stays itself', () => {
    const m = { f: 'read' }
    expect(op(m, ctx([]))).toEqual([PENDING, m])
  })

  test('null and undefined are exhausted; an empty array too', () => {
    expect(op(null, ctx([0]))).toBeNull()
    expect(op(undefined, ctx([0]))).toBeNull()
    expect(op([], ctx([0]))).toBeNull()
  })

  test('an array yields every op of each element in order', () => {
    const h = simulate([{ f: 'a' }, [{ f: 'b' }, { f: 'c' }], null, { f: 'd' }], { concurrency: 1 }).history
    expect(invokes(h).map((o) => o.f)).toEqual(['a', 'b', 'c', 'd'])
  })

  test('a function is called again each time its generator is exhausted', () => {
    const h = simulate(
      limit(4, () => [{ f: 'w' }, { f: 'r' }]),
      { concurrency: 1 },
    ).history
    expect(invokes(h).map((o) => o.f)).toEqual(['w', 'r', 'w', 'r'])
  })

  test('a function may be asked more often than its ops run (Jepsen semantics)', () => {
    let calls = 0
    const h = simulate(
      limit(3, () => ({ f: 'w', value: calls++ })),
      { concurrency: 1 },
    ).history
    expect(invokes(h)).toHaveLength(3)
    expect(calls).toBeGreaterThan(3)
  })

  test('sequence(i => gen) is pure: element i is the same however often it is asked for', () => {
    const h = simulate(
      sequence((i) => (i < 3 ? [{ f: 'w', value: i }, { f: 'r' }] : null)),
      { concurrency: 1 },
    ).history
    expect(invokes(h).map((o) => `${o.f}${o.value ?? ''}`)).toEqual(['w0', 'r', 'w1', 'r', 'w2', 'r'])
  })

  test('sequence skips empty elements and ends at the first null', () => {
    const h = simulate(
      sequence((i) => (i === 1 ? [] : i < 4 ? { f: `e${i}` } : undefined)),
      { concurrency: 2 },
    ).history
    expect(invokes(h).map((o) => o.f)).toEqual(['e0', 'e2', 'e3'])
  })

  test('a function returning null is exhausted', () => {
    expect(simulate(() => null, { concurrency: 2 }).history).toEqual([])
  })
})
