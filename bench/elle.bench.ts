// Speed of the transactional (Elle-class) check on valid list-append histories from the
// simulated strict-serializable store: 10k and 100k txns at concurrency 10 and 50. Baseline:
// pairing and validating the same history (collectTxns), measured in the same run. Then the cost
// of timestamp order: the simulated snapshot-isolation store with timestamps, checked as
// snapshot-isolation with and without timestampOrder (the baseline).
import { checkConsistency } from '../checker/elle/check.ts'
import { simulate } from '../checker/elle/testing/simulator.ts'
import { collectTxns } from '../checker/elle/txns.ts'
import type { BenchSection } from './main.ts'

function best(runs: number, f: () => void): number {
  let min = Number.POSITIVE_INFINITY
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    f()
    min = Math.min(min, performance.now() - t0)
  }
  return min
}

export default async function (): Promise<BenchSection[]> {
  const rows: Record<string, string | number>[] = []
  for (const txns of [10_000, 100_000])
    for (const concurrency of [10, 50]) {
      const history = simulate({
        workload: 'list-append',
        isolation: 'strict-serializable',
        txns,
        concurrency,
        keys: 2 * concurrency,
        seed: 42,
      })
      const runs = txns > 50_000 ? 2 : 4
      const pair = best(runs, () => collectTxns(history))
      for (const model of ['serializable', 'strict-serializable']) {
        let valid: unknown
        const check = best(runs, () => {
          valid = checkConsistency(history, { models: [model] }).valid
        })
        rows.push({
          txns,
          concurrency,
          model,
          valid: String(valid),
          'pair ms (baseline)': Math.round(pair),
          'check ms': Math.round(check),
          'check / pair': Number((check / pair).toFixed(1)),
          'txns/s': Math.round(txns / (check / 1000)),
        })
      }
    }
  return [
    {
      title: 'elle: list-append check of valid histories (strict-serializable simulated store)',
      rows,
      notes: [
        'best of 2-4 runs; "pair" = pairing invocations with completions and validating micro-ops',
        'strict-serializable adds realtime edges (transitive reduction) to the graph',
      ],
    },
    timestampOrder(),
  ]
}

function timestampOrder(): BenchSection {
  const rows: Record<string, string | number>[] = []
  for (const txns of [10_000, 100_000])
    for (const concurrency of [10, 50]) {
      const history = simulate({
        workload: 'list-append',
        isolation: 'snapshot-isolation',
        txns,
        concurrency,
        keys: 2 * concurrency,
        seed: 42,
        timestamps: true,
      })
      const runs = txns > 50_000 ? 2 : 4
      const check = (timestampOrder: boolean) => {
        let r: ReturnType<typeof checkConsistency> | undefined
        const ms = best(runs, () => {
          r = checkConsistency(history, { models: ['snapshot-isolation'], timestampOrder })
        })
        return { ms, r: r! }
      }
      const plain = check(false)
      const ts = check(true)
      rows.push({
        txns,
        concurrency,
        valid: `${plain.r.valid}/${ts.r.valid}`,
        'SI ms (baseline)': Math.round(plain.ms),
        'SI + timestamp order ms': Math.round(ts.ms),
        ratio: Number((ts.ms / plain.ms).toFixed(2)),
        'edges per txn': `${(plain.r.stats.edges / txns).toFixed(1)} → ${(ts.r.stats.edges / txns).toFixed(1)}`,
      })
    }
  return {
    title: 'elle: timestamp order on valid snapshot-isolation histories with timestamps',
    rows,
    notes: ['best of 2-4 runs; timestamp edges are a transitive reduction, ranked from exact bigints'],
  }
}
