// Stats checker (Jepsen's checker/stats): counts client completions by function and type, and
// fails when some function never succeeded, which usually means the test measured nothing (a
// dead cluster, a broken client) rather than a safe system. It also reports availability per
// node (checker/availability.ts); a node that served nothing for a long stretch outside fault
// windows makes the run `unknown`: the test lost its load there, so "no anomaly" means less.
import type { Op } from '../lib/history/op.ts'
import { type Availability, availability, describeStarved } from './availability.ts'
import type { CheckResult, Validity } from './result.ts'

export interface Counts {
  count: number
  ok: number
  fail: number
  info: number
}

export interface StatsResult extends CheckResult {
  total: Counts
  byF: Record<string, Counts>
  availability: Availability
}

const zero = (): Counts => ({ count: 0, ok: 0, fail: 0, info: 0 })

export function checkStats(history: readonly Op[], opts: { minGapS?: number } = {}): StatsResult {
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
  const avail = availability(history, opts)
  const starved = avail.starved.map(describeStarved)
  const valid: Validity = fs.length === 0 || never.length > 0 ? false : starved.length > 0 ? 'unknown' : true
  const explanation =
    fs.length === 0
      ? 'no client operation completed'
      : never.length > 0
        ? `no ${never.join(', ')} operation ever succeeded (${never.map((f) => `${f}: ${byF[f].fail} fail, ${byF[f].info} info`).join('; ')})`
        : starved.length > 0
          ? `the test lost its load: ${starved.join('; ')}`
          : `${total.ok} ok, ${total.fail} fail, ${total.info} info over ${fs.join(', ')}`
  return { checker: 'stats', valid, explanation, total, byF, availability: avail }
}
