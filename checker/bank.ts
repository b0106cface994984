// Bank checker (DESIGN §9): clients transfer amounts between accounts in transactions and read
// every balance. Every read must show all accounts, sum to the initial total and contain no
// negative balance; a read that breaks any of these is reported with its op index.
import type { Op } from '../lib/history/op.ts'
import type { CheckResult } from './result.ts'

export interface BankOptions {
  /** Sum of all balances at the start. */
  total: number
  /** The accounts every read must list. */
  accounts: readonly (string | number)[]
  /** Allow negative balances (some banks do). Default false. */
  negativeBalances?: boolean
}

export interface BadRead {
  index: number
  kind: 'wrong-total' | 'negative-balance' | 'missing-account' | 'unexpected-account'
  detail: string
  balances: Record<string, number>
}

export interface BankResult extends CheckResult {
  reads: number
  badReads: BadRead[]
  okTransfers: number
}

export function checkBank(history: readonly Op[], opts: BankOptions): BankResult {
  const expected = new Set(opts.accounts.map(String))
  const badReads: BadRead[] = []
  let reads = 0
  let okTransfers = 0
  for (const op of history) {
    if (op.process === 'nemesis' || op.type !== 'ok') continue
    if (op.f === 'transfer') okTransfers++
    if (op.f !== 'read') continue
    reads++
    const balances = op.value as Record<string, number>
    const bad = (kind: BadRead['kind'], detail: string) =>
      badReads.push({ index: op.index, kind, detail, balances })
    const seen = Object.keys(balances)
    const missing = [...expected].filter((a) => !(a in balances))
    const extra = seen.filter((a) => !expected.has(a))
    if (missing.length) bad('missing-account', `accounts ${missing.join(', ')} missing`)
    if (extra.length) bad('unexpected-account', `accounts ${extra.join(', ')} were never created`)
    const sum = Object.values(balances).reduce((a, b) => a + b, 0)
    if (sum !== opts.total) bad('wrong-total', `balances sum to ${sum}, not ${opts.total}`)
    if (!opts.negativeBalances)
      for (const [a, b] of Object.entries(balances))
        if (b < 0) bad('negative-balance', `account ${a} has ${b}`)
  }
  const valid = reads === 0 ? 'unknown' : badReads.length === 0
  const first = badReads[0]
  return {
    checker: 'bank',
    valid,
    explanation:
      reads === 0
        ? 'no read completed, so the balances were never observed'
        : first
          ? `${badReads.length} bad read(s) of ${reads}; first at op ${first.index}: ${first.detail} (${JSON.stringify(first.balances)})`
          : `${reads} reads all summed to ${opts.total} with no negative balance (${okTransfers} transfers ok)`,
    reads,
    badReads,
    okTransfers,
  }
}
