// `expect(history).toBeValidSet()` and `expect(history).toConserveBalances({ total, accounts })`:
// synchronous Vitest matchers over an Op[] or a history file / store run directory. As with the
// other matchers, "unknown" (no read ever completed) fails with or without .not, and the message
// is the checker's explanation plus the report path when there is one.
import type { MatcherState } from 'vitest'
import type { Op } from '../lib/history/op.ts'
import { type BankOptions, checkBank } from './bank.ts'
import { type MatcherResult, receivedHistory, verdictMatch } from './matcher-result.ts'
import type { CheckResult } from './result.ts'
import { checkSetFull, type SetFullOptions } from './set-full.ts'

function matchResult(
  state: MatcherState,
  received: readonly Op[] | string,
  what: string,
  check: (h: readonly Op[]) => CheckResult,
): MatcherResult {
  const { history, where } = receivedHistory(received, `a matcher for ${what}`)
  const r = check(history)
  return verdictMatch(
    state.isNot,
    r,
    {
      unknown: `the ${r.checker} checker could not decide (valid: "unknown"): `,
      holds: () => `expected the history not to be ${what}, but it is: ${r.explanation}`,
      fails: `expected the history to be ${what}, but it is not: `,
    },
    where,
  )
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
