// Semantics of stagger (one random schedule for the whole generator, mean gap dt), delay,
// sleep and timeLimit, in virtual time (no wall-clock assertions).
import { describe, expect, test } from 'vitest'
import type { Op } from '../history/op.ts'
import { limit, repeat } from './control.ts'
import { simulate } from './simulate.ts'
import { clients } from './threads.ts'
import { delay, sleep, stagger, timeLimit } from './timing.ts'

const invokeTimes = (h: Op[]) => h.filter((o) => o.type === 'invoke').map((o) => o.time)
const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i])

describe('stagger', () => {
  test('one schedule for the whole generator: mean gap dt across all threads, gaps in [0, 2dt)', () => {
    const dt = 0.01
    // 20 threads, ops that take 1 ms: a per-thread stagger would run ~20x faster than 1/dt.
    const h = simulate(clients(limit(2000, stagger(dt, repeat({ f: 'r' })))), {
      concurrency: 20,
      seed: 7,
    }).history
    const g = gaps(invokeTimes(h))
    const mean = g.reduce((a, b) => a + b, 0) / g.length
    expect(mean / 1e9).toBeGreaterThan(dt * 0.9)
    expect(mean / 1e9).toBeLessThan(dt * 1.1)
    expect(Math.min(...g)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...g)).toBeLessThan(2 * dt * 1e9)
    // Uniform: about half the gaps are shorter than dt.
    const short = g.filter((x) => x < dt * 1e9).length / g.length
    expect(short).toBeGreaterThan(0.4)
    expect(short).toBeLessThan(0.6)
  })

  test('rejects a negative or non-numeric dt', () => {
    expect(() => stagger(-1, null)).toThrow(/stagger: dt must be a number of seconds >= 0, got -1/)
  })
})

describe('delay / sleep / timeLimit', () => {
  test('delay spaces ops exactly dt apart', () => {
    const h = simulate(clients(limit(5, delay(0.5, repeat({ f: 'r' })))), { concurrency: 3 }).history
    expect(gaps(invokeTimes(h))).toEqual([5e8, 5e8, 5e8, 5e8])
  })

  test('sleep keeps its thread idle for dt and is not recorded', () => {
    const h = simulate(clients([{ f: 'a' }, sleep(2), { f: 'b' }]), { concurrency: 1, latency: 0 }).history
    expect(h.map((o) => o.f)).toEqual(['a', 'a', 'b', 'b'])
    expect(invokeTimes(h)).toEqual([0, 2e9])
  })

  test('timeLimit stops emitting dt seconds after its first op', () => {
    const h = simulate(clients(timeLimit(1, delay(0.1, repeat({ f: 'r' })))), { concurrency: 2 }).history
    const ts = invokeTimes(h)
    expect(ts).toHaveLength(10)
    expect(Math.max(...ts)).toBeLessThan(1e9)
  })

  test('timeLimit counts from its first op, not from the start of the test', () => {
    const g = [clients(sleep(5)), clients(timeLimit(1, delay(0.25, repeat({ f: 'r' }))))]
    const ts = invokeTimes(simulate(g, { concurrency: 1, latency: 0 }).history)
    expect(ts).toEqual([5e9, 5.25e9, 5.5e9, 5.75e9])
  })
})
