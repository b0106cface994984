// `expect(history).toBeValidSet()` and `expect(history).toConserveBalances({ total, accounts })`:
// synchronous matchers over an Op[] or a history file / store run directory. As with the
// other matchers, "unknown" (no read ever completed) fails with or without .not, and the message
// is the checker's explanation plus the report path when there is one.
import type { Op } from '../lib/history/op.ts'
import { type BankOptions, checkBank } from './bank.ts'
import { checkerMatch, type MatcherContext, type MatcherResult } from './matcher-result.ts'
import { checkSetFull, type SetFullOptions } from './set-full.ts'

export function toBeValidSet(
  this: MatcherContext,
  received: readonly Op[] | string,
  opts: SetFullOptions = {},
): MatcherResult {
  return checkerMatch(this, received, opts.linearizable ? 'a valid linearizable set' : 'a valid set', (h) =>
    checkSetFull(h, opts),
  )
}

export function toConserveBalances(
  this: MatcherContext,
  received: readonly Op[] | string,
  opts: BankOptions,
): MatcherResult {
  return checkerMatch(this, received, `a bank conserving ${opts.total}`, (h) => checkBank(h, opts))
}
