// `expect(history).toBeValidSet()` and `expect(history).toConserveBalances({ total, accounts })`:
// synchronous Vitest matchers over an Op[] or a history file / store run directory. As with the
// other matchers, "unknown" (no read ever completed) fails with or without .not, and the message
// is the checker's explanation plus the report path when there is one.
import type { MatcherState } from 'vitest'
import { describeSource } from '../lib/history/load.ts'
import type { Op } from '../lib/history/op.ts'
import { readHistory } from '../lib/history/read.ts'
import { type BankOptions, checkBank } from './bank.ts'
import type { CheckResult } from './result.ts'
import { checkSetFull, type SetFullOptions } from './set-full.ts'

interface MatcherResult {
  pass: boolean
  message: () => string
}

function matchResult(
  state: MatcherState,
  received: readonly Op[] | string,
  what: string,
  check: (h: readonly Op[]) => CheckResult,
): MatcherResult {
  const history = typeof received === 'string' ? readHistory(received) : received
  const r = check(history)
  const where = typeof received === 'string' ? describeSource(received) : ''
  if (r.valid === 'unknown')
    return {
      pass: state.isNot,
      message: () => `the ${r.checker} checker could not decide (valid: "unknown"): ${r.explanation}${where}`,
    }
  return {
    pass: r.valid,
    message: () =>
      r.valid
        ? `expected the history not to be ${what}, but it is: ${r.explanation}${where}`
        : `expected the history to be ${what}, but it is not: ${r.explanation}${where}`,
  }
}

export function toBeValidSet(
  this: MatcherState,
  received: readonly Op[] | string,
  opts: SetFullOptions = {},
): MatcherResult {
  return matchResult(this, received, opts.linearizable ? 'a valid linearizable set' : 'a valid set', (h) =>
    checkSetFull(h, opts),
  )
}

export function toConserveBalances(
  this: MatcherState,
  received: readonly Op[] | string,
  opts: BankOptions,
): MatcherResult {
  return matchResult(this, received, `a bank conserving ${opts.total}`, (h) => checkBank(h, opts))
}
