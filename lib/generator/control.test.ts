// Semantics of limit, once, repeat, cycle, mix, any, flipFlop, untilOk, map, filter and log,
// run in virtual time by the simulator.
import { describe, expect, test } from 'vitest'
import type { Op } from '../history/op.ts'
import { any, cycle, filter, flipFlop, limit, log, map, mix, once, repeat, untilOk } from './control.ts'
import { sequence } from './core.ts'
import { simulate } from './simulate.ts'
import { clients, eachThread } from './threads.ts'

const fs = (h: Op[]) => h.filter((o) => o.type === 'invoke').map((o) => o.f)

describe('limit / once / repeat / cycle', () => {
  test('limit caps the number of ops', () => {
    expect(fs(simulate(limit(4, repeat({ f: 'r' })), { concurrency: 3 }).history)).toEqual([
      'r',
      'r',
      'r',
      'r',
    ])
  })

  test('limit counts only real ops, not pending answers', () => {
    // One thread: the second op is pending until the first completes, and must not be lost.
    expect(fs(simulate(limit(3, repeat({ f: 'r' })), { concurrency: 1 }).history)).toHaveLength(3)
  })

  test('once takes the first op only', () => {
    expect(fs(simulate(once([{ f: 'a' }, { f: 'b' }]), { concurrency: 2 }).history)).toEqual(['a'])
  })

  test('repeat asks the unchanged generator again; repeat(n) stops after n', () => {
    expect(fs(simulate(repeat(3, [{ f: 'a' }, { f: 'b' }]), { concurrency: 2 }).history)).toEqual([
      'a',
      'a',
      'a',
    ])
  })

  test('cycle restarts an exhausted generator, n times with a count', () => {
    expect(fs(simulate(cycle(2, [{ f: 'a' }, { f: 'b' }]), { concurrency: 1 }).history)).toEqual([
      'a',
      'b',
      'a',
      'b',
    ])
    expect(fs(simulate(limit(5, cycle([{ f: 'a' }, { f: 'b' }])), { concurrency: 1 }).history)).toEqual([
      'a',
      'b',
      'a',
      'b',
      'a',
    ])
  })

  test('cycle of an empty generator ends instead of spinning', () => {
    expect(simulate(cycle([]), { concurrency: 1 }).history).toEqual([])
  })

  test('bad counts are rejected with the allowed values', () => {
    expect(() => limit(-1, null)).toThrow(/limit: n must be an integer >= 0, got -1/)
    expect(() => repeat(1.5, null)).toThrow(/repeat: n must be an integer >= 0/)
  })
})

describe('mix / any / flipFlop', () => {
  test('mix draws uniformly from its generators and drops exhausted ones', () => {
    const h = simulate(
      clients(mix([repeat(300, { f: 'a' }), repeat(300, { f: 'b' }), limit(10, repeat({ f: 'c' }))])),
      {
        concurrency: 4,
        seed: 3,
      },
    ).history
    const counts = Object.fromEntries(['a', 'b', 'c'].map((f) => [f, fs(h).filter((x) => x === f).length]))
    expect(counts).toEqual({ a: 300, b: 300, c: 10 })
    // Uniform choice: among the first 30 ops each generator shows up.
    expect(new Set(fs(h).slice(0, 30))).toEqual(new Set(['a', 'b', 'c']))
  })

  test('mix of nothing is exhausted', () => {
    expect(simulate(mix([]), { concurrency: 1 }).history).toEqual([])
  })

  test('any takes the soonest op of any generator and runs both to exhaustion', () => {
    const h = simulate(any(repeat(3, { f: 'a' }), repeat(2, { f: 'b', time: 0 })), { concurrency: 1 }).history
    expect(fs(h).sort()).toEqual(['a', 'a', 'a', 'b', 'b'])
  })

  test('flipFlop alternates and stops when either side is exhausted', () => {
    const h = simulate(flipFlop(repeat({ f: 'a' }), [{ f: 'b1' }, { f: 'b2' }]), { concurrency: 1 }).history
    expect(fs(h)).toEqual(['a', 'b1', 'a', 'b2', 'a'])
  })
})

describe('untilOk', () => {
  test('keeps emitting until one of its ops completes ok', () => {
    let n = 0
    const h = simulate(clients(untilOk(repeat({ f: 'read' }))), {
      concurrency: 1,
      complete: () => (++n < 4 ? { type: n % 2 ? 'fail' : 'info' } : { type: 'ok' }),
    }).history
    expect(h.filter((o) => o.type !== 'invoke').map((o) => o.type)).toEqual(['fail', 'info', 'fail', 'ok'])
  })

  test('ops already in flight when the ok arrives still run; none start after it', () => {
    const h = simulate(clients(untilOk(repeat({ f: 'read' }))), { concurrency: 3 }).history
    expect(fs(h)).toHaveLength(3)
    expect(h.filter((o) => o.type === 'ok')).toHaveLength(3)
  })

  test('per thread with eachThread: every thread reads until it sees ok', () => {
    const okFor = new Set<number>()
    const h = simulate(clients(eachThread(untilOk(repeat({ f: 'read' })))), {
      concurrency: 3,
      seed: 2,
      // Each thread fails once, then succeeds.
      complete: (op) => {
        const t = (op.process as number) % 3
        if (okFor.has(t)) return { type: 'ok' }
        okFor.add(t)
        return { type: 'fail' }
      },
    }).history
    expect(h.filter((o) => o.type === 'ok')).toHaveLength(3)
    expect(fs(h)).toHaveLength(6)
  })
})

describe('map / filter / log', () => {
  test('map transforms ops, filter drops the ones that fail its test', () => {
    const g = filter(
      (o) => (o.value as number) % 2 === 0,
      map(
        (o) => ({ ...o, f: 'w' }),
        limit(
          6,
          sequence((i) => ({ f: 'x', value: i })),
        ),
      ),
    )
    const h = simulate(g, { concurrency: 2 }).history.filter((o) => o.type === 'invoke')
    expect(h.map((o) => [o.f, o.value])).toEqual([
      ['w', 0],
      ['w', 2],
      ['w', 4],
    ])
  })

  test('log is a one-shot op that is logged, not recorded', () => {
    const sim = simulate([log('hello'), { f: 'r' }], { concurrency: 1 })
    expect(sim.logs).toEqual(['hello'])
    expect(fs(sim.history)).toEqual(['r'])
  })
})
