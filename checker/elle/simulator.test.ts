// Histories from simulated databases of known isolation: the checker must accept exactly the
// models each database provides and name the anomalies the weaker ones allow.
import { describe, expect, test } from 'vitest'
import { CHECKERS } from '../registry.ts'
import { checkConsistency } from './check.ts'
import { simulate } from './testing/simulator.ts'
import type { Workload } from './types.ts'

const WORKLOADS: Workload[] = ['list-append', 'rw-register']
const ALL_MODELS = CHECKERS['list-append'].models

describe.each(WORKLOADS)('%s', (workload) => {
  test('a strict-serializable store is valid under every model', () => {
    for (const seed of [1, 2, 3]) {
      const h = simulate({ workload, isolation: 'strict-serializable', txns: 600, concurrency: 6, seed })
      for (const model of ALL_MODELS) {
        const r = checkConsistency(h, { models: [model] })
        expect(r.valid, `${model}, seed ${seed}: ${r.explanation}`).toBe(true)
        expect(r.stats.edges).toBeGreaterThan(0)
      }
    }
  })

  test('a snapshot-isolation store shows write skew (G2-item) under serializable, none under SI', () => {
    const h = simulate({
      workload,
      isolation: 'snapshot-isolation',
      txns: 1500,
      concurrency: 8,
      keys: 4,
      seed: 7,
    })
    expect(h.some((op) => op.type === 'fail')).toBe(true)
    const ser = checkConsistency(h, { models: ['serializable'] })
    expect(ser.valid).toBe(false)
    expect(ser.anomalyTypes).toContain('G2-item')
    expect(ser.not).toEqual(['repeatable-read'])
    const cycle = ser.anomalies['G2-item'][0]
    expect(cycle.explanation).toMatch(/However, T\d < T1, because .*: a contradiction!/)
    for (const model of [
      'snapshot-isolation',
      'strong-snapshot-isolation',
      'strong-session-snapshot-isolation',
    ]) {
      const r = checkConsistency(h, { models: [model] })
      expect(r.valid, `${model}: ${r.explanation}`).toBe(true)
    }
  })

  test('a read-committed store shows anomalies under snapshot-isolation but is read-committed', () => {
    const h = simulate({
      workload,
      isolation: 'read-committed',
      txns: 1500,
      concurrency: 8,
      keys: 4,
      seed: 11,
    })
    const si = checkConsistency(h, { models: ['snapshot-isolation'] })
    expect(si.valid).toBe(false)
    expect(
      si.anomalyTypes.some((t) => ['G-single-item', 'lost-update', 'G-nonadjacent-item'].includes(t)),
    ).toBe(true)
    const rc = checkConsistency(h, { models: ['read-committed'] })
    expect(rc.valid, rc.explanation).toBe(true)
  })
})
