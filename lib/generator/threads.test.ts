// Semantics of clients / nemesis routing, onThreads, synchronize, phases, andThen (Jepsen's
// then), eachThread and reserve, in virtual time.
import { describe, expect, test } from 'vitest'
import type { Op } from '../history/op.ts'
import { limit, repeat } from './control.ts'
import { simulate } from './simulate.ts'
import { andThen, clients, eachThread, nemesis, onThreads, phases, reserve, synchronize } from './threads.ts'
import { sleep } from './timing.ts'

const invokes = (h: Op[]) => h.filter((o) => o.type === 'invoke')

describe('routing', () => {
  test('clients(gen) runs on client processes only, nemesis(gen) on the nemesis only', () => {
    const c = invokes(simulate(clients(limit(20, repeat({ f: 'r' }))), { concurrency: 3 }).history)
    expect(c).toHaveLength(20)
    expect(c.every((o) => typeof o.process === 'number')).toBe(true)
    const n = invokes(simulate(nemesis(limit(3, repeat({ f: 'kill' }))), { concurrency: 3 }).history)
    expect(n.map((o) => o.process)).toEqual(['nemesis', 'nemesis', 'nemesis'])
  })

  test('clients(c, n) and nemesis(n, c) run both side by side', () => {
    for (const g of [
      clients(limit(6, repeat({ f: 'r' })), limit(2, repeat({ f: 'kill' }))),
      nemesis(limit(2, repeat({ f: 'kill' })), limit(6, repeat({ f: 'r' }))),
    ]) {
      const h = invokes(simulate(g, { concurrency: 2 }).history)
      expect(h.filter((o) => o.f === 'kill').every((o) => o.process === 'nemesis')).toBe(true)
      expect(h.filter((o) => o.f === 'r').every((o) => typeof o.process === 'number')).toBe(true)
      expect(h.map((o) => o.f).sort()).toEqual(['kill', 'kill', 'r', 'r', 'r', 'r', 'r', 'r'])
    }
  })

  test('onThreads narrows to the threads a predicate accepts', () => {
    const h = invokes(
      simulate(
        onThreads((t) => t === 1, limit(4, repeat({ f: 'r' }))),
        { concurrency: 3 },
      ).history,
    )
    expect(h.map((o) => o.process)).toEqual([1, 1, 1, 1])
  })
})

describe('synchronize / phases / andThen', () => {
  test('synchronize waits until every thread is idle', () => {
    // Thread 0 sleeps 1 s; the synchronized op must not start before it wakes.
    const h = simulate(clients([sleep(1), synchronize({ f: 'after' })]), {
      concurrency: 2,
      latency: 0,
    }).history
    expect(invokes(h)[0].time).toBe(1e9)
  })

  test('phases: every op of a phase completes before the next phase starts', () => {
    const h = simulate(clients(phases(limit(5, repeat({ f: 'a' })), limit(5, repeat({ f: 'b' })))), {
      concurrency: 3,
    }).history
    const lastA = Math.max(...h.filter((o) => o.f === 'a').map((o) => o.index))
    const firstB = Math.min(...h.filter((o) => o.f === 'b').map((o) => o.index))
    expect(lastA).toBeLessThan(firstB)
  })

  test('andThen(a, b) runs a, waits for idle threads, then b', () => {
    const h = simulate(clients(andThen(limit(4, repeat({ f: 'a' })), { f: 'b' })), { concurrency: 4 }).history
    const b = h.find((o) => o.f === 'b')!
    expect(h.filter((o) => o.f === 'a' && o.type === 'ok').every((o) => o.index < b.index)).toBe(true)
  })
})

describe('eachThread', () => {
  test('every thread runs its own copy of the generator', () => {
    const h = invokes(simulate(clients(eachThread([{ f: 'a' }, { f: 'b' }])), { concurrency: 3 }).history)
    for (const p of [0, 1, 2]) expect(h.filter((o) => o.process === p).map((o) => o.f)).toEqual(['a', 'b'])
  })

  test('a thread copy follows the thread across retired processes', () => {
    const h = simulate(clients(eachThread([{ f: 'a' }, { f: 'b' }])), {
      concurrency: 2,
      complete: (op) => ({ type: op.f === 'a' ? 'info' : 'ok' }),
    }).history
    // Thread 0 runs a as process 0 (info retires it), then b as process 2.
    expect(
      invokes(h)
        .map((o) => `${o.f}${o.process}`)
        .sort(),
    ).toEqual(['a0', 'a1', 'b2', 'b3'])
  })
})

describe('reserve', () => {
  test('the first n threads run one generator, the rest the default', () => {
    const g = clients(reserve([2, repeat({ f: 'w' })], [1, repeat({ f: 'cas' })], repeat({ f: 'r' })))
    const h = invokes(simulate(g, { concurrency: 5, maxOps: 500, seed: 4 }).history)
    const fsOf = (t: number) => new Set(h.filter((o) => (o.process as number) % 5 === t).map((o) => o.f))
    expect([0, 1, 2, 3, 4].map((t) => [...fsOf(t)])).toEqual([['w'], ['w'], ['cas'], ['r'], ['r']])
  })

  test('asking for more threads than there are is an error naming both counts', () => {
    const g = clients(reserve([4, { f: 'w' }], { f: 'r' }))
    expect(() => simulate(g, { concurrency: 3 })).toThrow(/reserve: ranges need 4 client threads .* has 3/)
  })
})
