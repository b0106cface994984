// `expect(history).toBeConsistent({ models: ['snapshot-isolation'] })`: an async Vitest matcher
// over an Op[] or a history file / store run directory. "unknown" always fails (with or without
// .not), with a message that says the checker could not decide and why.
import type { Op } from '../../lib/history/op.ts'
import { type MatcherContext, type MatcherResult, receivedHistory, verdictMatch } from '../matcher-result.ts'
import { checkConsistency } from './check.ts'
import type { CheckOptions } from './types.ts'

export type ConsistencyMatcherOptions = Omit<CheckOptions, 'models' | 'signal'> & { models?: string[] }

export async function toBeConsistent(
  this: MatcherContext,
  received: readonly Op[] | string,
  opts: ConsistencyMatcherOptions = {},
): Promise<MatcherResult> {
  const { history, where } = receivedHistory(received, 'toBeConsistent')
  const models = opts.models ?? ['strict-serializable']
  const r = checkConsistency(history, { ...opts, models })
  const asked = models.join(', ')
  return verdictMatch(
    this.isNot,
    r,
    {
      unknown: `the ${r.workload} checker could not decide (valid: "unknown") for ${asked}:\n`,
      holds: () =>
        `expected the ${r.workload} history to violate ${asked}, but it is consistent (${r.stats.txns} txns)`,
      fails: `expected the ${r.workload} history to be ${asked}, but it is not:\n`,
    },
    where,
  )
}
