// Availability per node inside and outside fault windows, and the stats checker's verdict when a
// node starves outside them (issue "Test power"; the run is then `unknown`).
import { describe, expect, test } from 'vitest'
import type { Op } from '../lib/history/op.ts'
import { availability } from './availability.ts'
import { checkStats } from './stats.ts'

const S = 1e9

/**
 * A history: each node's client does one op every 100 ms from `from` to `to` seconds (10 ops/s),
 * ok unless `down(node, t)`; nemesis ops are given as [seconds, f].
 */
function history(
  nodes: string[],
  o: { from?: number; to: number; down?: (node: string, t: number) => boolean; nemesis?: [number, string][] },
): Op[] {
  const events: Omit<Op, 'index'>[] = []
  for (const [p, node] of nodes.entries()) {
    for (let t = (o.from ?? 0) * S; t < o.to * S; t += 0.1 * S) {
      const type = o.down?.(node, t / S) ? 'fail' : 'ok'
      events.push({ time: t, type: 'invoke', process: p, f: 'read' })
      events.push({ time: t + 0.005 * S, type, process: p, f: 'read', node })
    }
  }
  for (const [t, f] of o.nemesis ?? []) events.push({ time: t * S, type: 'info', process: 'nemesis', f })
  return events.sort((a, b) => a.time - b.time).map((op, index) => ({ ...op, index }))
}

describe('availability', () => {
  test('per-node ok rates inside and outside fault windows, and per window', () => {
    // A partition from 10 s to 20 s cuts n3 off; n1 and n2 keep their pace.
    const h = history(['n1', 'n2', 'n3'], {
      to: 30,
      down: (n, t) => n === 'n3' && t >= 10 && t < 20,
      nemesis: [
        [10, 'start-partition'],
        [20, 'stop-partition'],
      ],
    })
    const a = availability(h)
    expect(a.load.inside).toBeCloseTo(10, 0)
    expect(a.load.outside).toBeCloseTo(20, 0)
    expect(a.nodes.n1.rateInside).toBeCloseTo(10, 0)
    expect(a.nodes.n1.rateOutside).toBeCloseTo(10, 0)
    expect(a.nodes.n3).toMatchObject({ okInside: 0, rateInside: 0 })
    expect(a.nodes.n3.rateOutside).toBeCloseTo(10, 0)
    expect(a.windows).toEqual([
      expect.objectContaining({ start: 10, end: 20, faults: ['partition'], rate: expect.any(Object) }),
    ])
    expect(a.windows[0].rate.n3).toBe(0)
    expect(a.windows[0].rate.n2).toBeCloseTo(10, 0)
    expect(a.starved).toEqual([])
  })

  test('time without load (the final recovery wait) is neither inside nor outside', () => {
    const h = [
      ...history(['n1'], { to: 10 }),
      ...history(['n1'], { from: 25, to: 26 }).map((op) => ({ ...op, process: 7 })),
    ].map((op, index) => ({ ...op, index }))
    const a = availability(h)
    expect(a.load.outside).toBeCloseTo(11, 0)
    expect(a.nodes.n1.rateOutside).toBeCloseTo(10, 0)
  })

  test('a node that stops serving outside any fault window is starved, and stats says unknown', () => {
    const h = history(['n1', 'n2', 'n3'], { to: 30, down: (n, t) => n === 'n2' && t >= 12 })
    const a = availability(h)
    expect(a.starved).toEqual([
      expect.objectContaining({ node: 'n2', from: expect.closeTo(11.9, 0), to: expect.closeTo(30, 0) }),
    ])
    const stats = checkStats(h)
    expect(stats.valid).toBe('unknown')
    expect(stats.explanation).toMatch(
      /^the test lost its load: node n2 completed no ok op from 11\.9 s to 29\.9 s/,
    )
    expect(stats.availability.nodes.n2.okOutside).toBe(120)
  })

  test('an outage inside a fault window, or shorter than the minimum gap, is not starvation', () => {
    const killed = history(['n1', 'n2', 'n3'], {
      to: 40,
      down: (n, t) => n === 'n2' && t >= 5 && t < 30,
      nemesis: [
        [5, 'kill'],
        [30, 'start'],
      ],
    })
    expect(availability(killed).starved).toEqual([])
    expect(checkStats(killed).valid).toBe(true)
    const blip = history(['n1', 'n2', 'n3'], { to: 30, down: (n, t) => n === 'n2' && t >= 10 && t < 18 })
    expect(availability(blip).starved).toEqual([])
    expect(availability(blip, { minGapS: 5 }).starved.map((s) => s.node)).toEqual(['n2'])
  })

  test('a node that never served is starved from the start; histories without nodes give no figures', () => {
    const h = history(['n1', 'n2', 'n3'], { to: 20, down: (n) => n === 'n3' })
    expect(availability(h).starved).toEqual([expect.objectContaining({ node: 'n3', from: 0 })])
    const anonymous = h.map(({ node: _, ...op }) => op)
    expect(availability(anonymous)).toMatchObject({ nodes: {}, starved: [] })
    expect(checkStats(anonymous).valid).toBe(true)
  })
})
