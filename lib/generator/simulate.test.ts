// Determinism: the same generator and seed give the same history; another seed gives another.
import { describe, expect, test } from 'vitest'
import { limit, mix, repeat } from './control.ts'
import { sequence } from './core.ts'
import { simulate } from './simulate.ts'
import { clients } from './threads.ts'
import { stagger } from './timing.ts'

const workload = () =>
  clients(
    limit(
      300,
      stagger(
        0.001,
        mix([
          repeat({ f: 'read' }),
          sequence((i) => ({ f: 'write', value: i })),
          (ctx) => ({ f: 'cas', value: [ctx.rng.int(5), ctx.rng.int(5)] }),
        ]),
      ),
    ),
    repeat(3, { f: 'kill', type: 'info' }),
  )

describe('simulate', () => {
  test('is deterministic under a seed', () => {
    const a = simulate(workload(), { concurrency: 5, seed: 42 }).history
    const b = simulate(workload(), { concurrency: 5, seed: 42 }).history
    expect(a).toHaveLength(606)
    expect(b).toEqual(a)
  })

  test('another seed gives another history', () => {
    const a = simulate(workload(), { concurrency: 5, seed: 1 }).history
    const b = simulate(workload(), { concurrency: 5, seed: 2 }).history
    expect(b).not.toEqual(a)
  })

  test('a generator stuck pending with every thread idle is reported, not looped on', () => {
    const stuck = { op: () => ['pending', stuck] as const, update: () => stuck }
    expect(() => simulate(stuck, { concurrency: 1 })).toThrow(/pending at t=0 ns with every thread idle/)
  })
})
