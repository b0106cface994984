// What every verdict matcher shares (toBeLinearizable, toBeConsistent, toBeValidSet,
// toConserveBalances): accepting an Op[] or a history file / store run directory, and turning a
// CheckResult into the {pass, message} that Vitest and Jest both expect, where "unknown" fails
// with and without .not. Each matcher keeps its own wording; the synchronous ones (set, bank,
// monotonic) share checkerMatch.
import { describeSource } from '../lib/history/load.ts'
import type { Op } from '../lib/history/op.ts'
import { readHistory } from '../lib/history/read.ts'
import type { CheckResult } from './result.ts'

/** The part of Vitest's and Jest's matcher `this` that the matchers read. */
export interface MatcherContext {
  isNot: boolean
}

export interface MatcherResult {
  pass: boolean
  message: () => string
}

/** The history a matcher received, and lines naming its file and report (empty for an Op[]). */
export function receivedHistory(
  received: readonly Op[] | string,
  matcher: string,
): { history: readonly Op[]; where: string } {
  const history = typeof received === 'string' ? readHistory(received) : received
  if (!Array.isArray(history))
    throw new TypeError(`${matcher} expects an Op[] or a history path, got ${typeof received}`)
  return { history, where: typeof received === 'string' ? describeSource(received) : '' }
}

export interface VerdictWording {
  /** Head of the message when the checker could not decide; the explanation follows. */
  unknown: string
  /** Message when the history holds the property but .not expected it not to. */
  holds: () => string
  /** Head of the message when the property fails; the explanation follows. */
  fails: string
}

export function verdictMatch(
  isNot: boolean,
  r: CheckResult,
  w: VerdictWording,
  where: string,
): MatcherResult {
  if (r.valid === 'unknown') return { pass: isNot, message: () => `${w.unknown}${r.explanation}${where}` }
  return {
    pass: r.valid,
    message: () => (r.valid ? `${w.holds()}${where}` : `${w.fails}${r.explanation}${where}`),
  }
}

/** A synchronous checker as a matcher: "expected the history to be <what>, but it is not: …". */
export function checkerMatch(
  state: MatcherContext,
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
