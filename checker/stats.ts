// Stats checker (Jepsen's checker/stats): counts client completions by function and type, and
// fails when some function never succeeded, which usually means the test measured nothing (a
// dead cluster, a broken client) rather than a safe system.
import type { Op } from '../lib/history/op.ts'
import type { CheckResult } from './result.ts'

export interface Counts {
  count: number
  ok: number
  fail: number
  info: number
}

export interface StatsResult extends CheckResult {
  total: Counts
  byF: Record<string, Counts>
}

const zero = (): Counts => ({ count: 0, ok: 0, fail: 0, info: 0 })

export function checkStats(history: readonly Op[]): StatsResult {
  const total = zero()
  const byF: Record<string, Counts> = {}
  for (const op of history) {
    if (op.process === 'nemesis' || op.type === 'invoke') continue
    byF[op.f] ??= zero()
    for (const c of [total, byF[op.f]]) {
      c.count++
      c[op.type]++
    }
  }
  const never = Object.entries(byF)
    .filter(([, c]) => c.ok === 0)
    .map(([f]) => f)
  const fs = Object.keys(byF)
  return {
    checker: 'stats',
    valid: fs.length > 0 && never.length === 0,
    explanation:
      fs.length === 0
        ? 'no client operation completed'
        : never.length > 0
          ? `no ${never.join(', ')} operation ever succeeded (${never.map((f) => `${f}: ${byF[f].fail} fail, ${byF[f].info} info`).join('; ')})`
          : `${total.ok} ok, ${total.fail} fail, ${total.info} info over ${fs.join(', ')}`,
    total,
    byF,
  }
}
