// `await expect(history).toBeLinearizable({ model: 'cas-register', timeLimit: 10 })`: an async
// Vitest matcher (it returns a Promise: always await it) over an Op[] or a history file / store
// run directory. `timeLimit` is in seconds, like `jepsen-tikv analyze --time-limit`. The failure
// message is the checker's short explanation. "unknown" (time limit, memory bound) fails both
// `toBeLinearizable` and `.not.toBeLinearizable`, saying that the checker could not decide.
import type { Op } from '../../lib/history/op.ts'
import { type MatcherContext, type MatcherResult, receivedHistory, verdictMatch } from '../matcher-result.ts'
import { analyze, type LinearizableOptions } from './index.ts'

export type LinearizableMatcherOptions = Omit<LinearizableOptions, 'timeLimitMs' | 'signal' | 'startedAt'> & {
  /** Seconds before the checker gives up with "unknown" (which fails the matcher). */
  timeLimit?: number
}

export async function toBeLinearizable(
  this: MatcherContext,
  received: readonly Op[] | string,
  opts: LinearizableMatcherOptions = {},
): Promise<MatcherResult> {
  const { history, where } = receivedHistory(received, 'toBeLinearizable')
  const { timeLimit, ...rest } = opts
  const r = await analyze(history as Op[], {
    ...rest,
    ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
  })
  return verdictMatch(
    this.isNot,
    r,
    {
      unknown: 'the linearizability checker could not decide (valid: "unknown"):\n',
      holds: () =>
        `expected the history not to be linearizable (model ${r.model}), but it is (${r.parts} part${r.parts === 1 ? '' : 's'}, ${r.configurations} configurations)`,
      fails: 'expected the history to be linearizable, but it is not:\n',
    },
    where,
  )
}
