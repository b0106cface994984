// Partition shapes: exact shapes for small clusters, and for 3..9 nodes and many seeds the
// properties that make each shape the fault it claims to be (who keeps a majority).
import { describe, expect, test } from 'vitest'
import { Rng } from '../lib/generator/random.ts'
import { bridge, complete, type Grudge, halves, isolate, majority, one, reachable, ring } from './grudge.ts'

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`)
const seeds = Array.from({ length: 25 }, (_, i) => i)

function expectSymmetric(g: Grudge): void {
  for (const [a, from] of Object.entries(g))
    for (const b of from) expect(g[b] ?? [], `${b} drops ${a}`).toContain(a)
}
const sizes = (names: string[], g: Grudge) =>
  Object.values(reachable(names, g))
    .map((r) => r.length)
    .sort()

describe('complete and isolate', () => {
  test('each component drops exactly the other components', () => {
    expect(complete([['n1'], ['n2', 'n3'], ['n4']])).toEqual({
      n1: ['n2', 'n3', 'n4'],
      n2: ['n1', 'n4'],
      n3: ['n1', 'n4'],
      n4: ['n1', 'n2', 'n3'],
    })
  })
  test('isolate rejects unknown nodes', () => {
    expect(() => isolate(nodes(3), ['n9'])).toThrow(/n9 not among the nodes n1, n2, n3/)
  })
})

describe('one', () => {
  test.each(seeds)('seed %i: one node alone, the rest a connected majority', (seed) => {
    const names = nodes(5)
    const g = one(names, new Rng(seed))
    expectSymmetric(g)
    const alone = names.filter((n) => g[n].length === 4)
    expect(alone).toHaveLength(1)
    for (const n of names.filter((m) => m !== alone[0])) expect(g[n]).toEqual(alone)
  })
  test('picks different nodes for different seeds', () => {
    const isolated = new Set(
      seeds.map((s) => {
        const g = one(nodes(5), new Rng(s))
        return Object.keys(g).find((n) => g[n].length === 4)
      }),
    )
    expect(isolated.size).toBeGreaterThan(1)
  })
})

describe('halves', () => {
  test.each([2, 3, 4, 5, 6, 7, 9])('%i nodes: a minority of floor(n/2) cut from the majority', (n) => {
    for (const seed of seeds) {
      const names = nodes(n)
      const g = halves(names, new Rng(seed))
      expectSymmetric(g)
      const minority = Math.floor(n / 2)
      expect(sizes(names, g)).toEqual(
        [...Array(minority).fill(minority), ...Array(n - minority).fill(n - minority)].sort(),
      )
    }
  })
})

describe('ring', () => {
  test('5 nodes: every node sees itself and its two ring neighbours, and drops the other two', () => {
    for (const seed of seeds) {
      const names = nodes(5)
      const g = ring(names, new Rng(seed))
      expectSymmetric(g)
      for (const n of names) expect(g[n]).toHaveLength(2)
      // Following "can reach" edges (excluding self) forms one cycle through all 5 nodes.
      const seen = reachable(names, g)
      const start = names[0]
      let prev = start
      let cur = seen[start].find((m) => m !== start) as string
      const visited = [start]
      while (cur !== start) {
        visited.push(cur)
        const next = seen[cur].find((m) => m !== cur && m !== prev) as string
        prev = cur
        cur = next
      }
      expect(visited.sort()).toEqual(names)
    }
  })
  test.each([4, 5, 6, 7, 8, 9])('%i nodes: everyone sees a majority, nobody sees everyone', (n) => {
    for (const seed of seeds) {
      const names = nodes(n)
      const g = ring(names, new Rng(seed))
      expectSymmetric(g)
      const views = reachable(names, g)
      for (const v of Object.values(views)) {
        expect(v.length).toBeGreaterThanOrEqual(majority(n))
        expect(v.length).toBeLessThan(n)
      }
      // Overlapping, not one shared majority: adjacent views differ.
      expect(new Set(Object.values(views).map((v) => v.join())).size).toBe(n)
    }
  })
  test('needs 4 nodes', () => {
    expect(() => ring(nodes(3), new Rng(1))).toThrow(/ring needs at least 4 nodes, got 3/)
  })
})

describe('bridge', () => {
  test.each([3, 5, 7])('%i nodes: one bridge node sees all; each side plus the bridge is a majority', (n) => {
    for (const seed of seeds) {
      const names = nodes(n)
      const g = bridge(names, new Rng(seed))
      expectSymmetric(g)
      const views = reachable(names, g)
      const middles = names.filter((m) => views[m].length === n)
      expect(middles).toHaveLength(1)
      for (const m of names.filter((x) => x !== middles[0])) {
        expect(views[m]).toContain(middles[0])
        expect(views[m].length).toBeGreaterThanOrEqual(majority(n))
        expect(views[m].length).toBeLessThan(n)
      }
    }
  })
  test('5 nodes: exactly {2 | bridge | 2}', () => {
    const g = bridge(nodes(5), new Rng(7))
    expect(sizes(nodes(5), g)).toEqual([3, 3, 3, 3, 5])
  })
})
