// independent.concurrent: groups of n threads each own one key at a time and move to the next
// unused key when their per-key generator is exhausted; a concurrency that is not a multiple of
// n is an error naming both.
import { describe, expect, test } from 'vitest'
import { limit, repeat } from './control.ts'
import { concurrent } from './independent.ts'
import { simulate } from './simulate.ts'
import { clients } from './threads.ts'

describe('independent.concurrent', () => {
  const run = (concurrency: number, n: number, keys: number) =>
    simulate(
      clients(
        concurrent(
          n,
          Array.from({ length: keys }, (_, i) => i),
          () => limit(6, repeat({ f: 'w' })),
        ),
      ),
      {
        concurrency,
        seed: 5,
      },
    ).history

  test('each key is worked on by exactly one group of n threads, and every key gets its ops', () => {
    const h = run(6, 2, 9)
    const invokes = h.filter((o) => o.type === 'invoke')
    const threadsOf = new Map<string, Set<number>>()
    for (const o of invokes) {
      const set = threadsOf.get(o.key!) ?? new Set()
      set.add((o.process as number) % 6)
      threadsOf.set(o.key!, set)
    }
    expect([...threadsOf.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8'])
    for (const [, threads] of threadsOf) {
      expect(threads.size).toBeLessThanOrEqual(2)
      // The threads of a group are neighbours: {0,1}, {2,3} or {4,5}.
      const group = Math.floor([...threads][0] / 2)
      expect([...threads].every((t) => Math.floor(t / 2) === group)).toBe(true)
    }
    for (const k of threadsOf.keys()) expect(invokes.filter((o) => o.key === k)).toHaveLength(6)
  })

  test('a group works on one key at a time: no key of a group starts before its previous key is done', () => {
    const h = run(4, 2, 6).filter((o) => o.type === 'invoke')
    for (const group of [0, 1]) {
      const keys = h.filter((o) => Math.floor(((o.process as number) % 4) / 2) === group).map((o) => o.key)
      const runs = keys.filter((k, i) => i === 0 || keys[i - 1] !== k)
      expect(new Set(runs).size).toBe(runs.length)
    }
  })

  test('keys may be given by a function of their position', () => {
    const g = clients(
      concurrent(
        1,
        (i) => (i < 3 ? `k${i}` : undefined),
        () => ({ f: 'r' }),
      ),
    )
    const h = simulate(g, { concurrency: 1 }).history.filter((o) => o.type === 'invoke')
    expect(h.map((o) => o.key)).toEqual(['k0', 'k1', 'k2'])
  })

  test('concurrency that is not a multiple of n is an error naming concurrency and n', () => {
    expect(() => run(5, 2, 3)).toThrow(
      'independent.concurrent: concurrency 5 (client threads) is not a multiple of n=2 threads per key; use a concurrency of 6 or change n',
    )
    expect(() => concurrent(0, [], () => null)).toThrow(
      /n \(threads per key\) must be an integer >= 1, got 0/,
    )
  })
})
