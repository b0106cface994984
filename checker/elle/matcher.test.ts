// toBeConsistent: passes, fails with the explanation, works with .not, fails on "unknown" either
// way, and reads a store run directory.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Op } from '../../lib/history/op.ts'
import { simulate } from './testing/simulator.ts'

const serial = simulate({
  workload: 'list-append',
  isolation: 'strict-serializable',
  txns: 300,
  concurrency: 4,
})
const si = simulate({
  workload: 'list-append',
  isolation: 'snapshot-isolation',
  txns: 1500,
  concurrency: 8,
  keys: 4,
  seed: 7,
})
const ok = (index: number, value: unknown[]): Op => ({
  index,
  time: index,
  type: 'ok',
  process: 0,
  f: 'txn',
  value,
})

describe('toBeConsistent', () => {
  test('passes on a consistent history and fails with the anomaly on an inconsistent one', async () => {
    await expect(serial).toBeConsistent({ models: ['serializable'] })
    await expect(si).toBeConsistent({ models: ['snapshot-isolation'] })
    await expect(expect(si).toBeConsistent({ models: ['serializable'] })).rejects.toThrow(
      /not:\n.*G2-item[\s\S]*a contradiction!/,
    )
  })

  test('timestampOrder: true adds the timestamp order, and a stale snapshot fails with its timestamps', async () => {
    const timed = simulate({
      workload: 'list-append',
      isolation: 'snapshot-isolation',
      txns: 800,
      concurrency: 6,
      seed: 3,
      timestamps: true,
    })
    await expect(timed).toBeConsistent({ models: ['snapshot-isolation'], timestampOrder: true })
    // T1 commits at ts 110; T2, concurrent in real time, starts at ts 120 and misses it.
    const stale: Op[] = [
      { index: 0, time: 0, type: 'invoke', process: 0, f: 'txn', value: [['append', 'x', 1]] },
      { index: 1, time: 1, type: 'invoke', process: 1, f: 'txn', value: [['r', 'x', null]] },
      { ...ok(2, [['append', 'x', 1]]), ts: { start: '100', commit: '110' } },
      { ...ok(3, [['r', 'x', []]]), process: 1, ts: { start: '120' } },
    ]
    await expect(stale).toBeConsistent({ models: ['snapshot-isolation'] })
    await expect(
      expect(stale).toBeConsistent({ models: ['snapshot-isolation'], timestampOrder: true }),
    ).rejects.toThrow(/G-single-item-timestamp[\s\S]*T1 committed at ts 110 before T2 started at ts 120/)
  })

  test('works with .not', async () => {
    await expect(si).not.toBeConsistent({ models: ['serializable'] })
    await expect(expect(serial).not.toBeConsistent({ models: ['serializable'] })).rejects.toThrow(
      /is consistent/,
    )
  })

  test('"unknown" fails with and without .not, saying so', async () => {
    const lone = [ok(0, [['append', 'x', 1]])]
    await expect(expect(lone).toBeConsistent()).rejects.toThrow(/could not decide \(valid: "unknown"\)/)
    await expect(expect(lone).not.toBeConsistent()).rejects.toThrow(/empty-transaction-graph|no dependency/)
  })

  test('non-unique appends give "unknown" with the reason', async () => {
    const dup = [ok(0, [['append', 'x', 1]]), ok(1, [['append', 'x', 1]]), ok(2, [['r', 'x', [1]]])]
    await expect(expect(dup).toBeConsistent({ models: ['read-committed'] })).rejects.toThrow(
      /duplicate-appends: op 1 and op 0 both append 1 to key "x"/,
    )
  })

  test('reads a store run directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elle-matcher-'))
    writeFileSync(join(dir, 'history.jsonl'), `${si.map((op) => JSON.stringify(op)).join('\n')}\n`)
    await expect(dir).toBeConsistent({ models: ['snapshot-isolation'], workload: 'list-append' })
    await expect(expect(dir).toBeConsistent({ models: ['serializable'] })).rejects.toThrow(`history: ${dir}`)
  })
})
