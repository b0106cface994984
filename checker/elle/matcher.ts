// `expect(history).toBeConsistent({ models: ['snapshot-isolation'] })`: an async Vitest matcher
// over an Op[] or a history file / store run directory. "unknown" always fails (with or without
// .not), with a message that says the checker could not decide and why.
import type { MatcherState } from 'vitest'
import { describeSource } from '../../lib/history/load.ts'
import type { Op } from '../../lib/history/op.ts'
import { readHistory } from '../../lib/history/read.ts'
import { checkConsistency } from './check.ts'
import type { CheckOptions } from './types.ts'

export type ConsistencyMatcherOptions = Omit<CheckOptions, 'models' | 'signal'> & { models?: string[] }

export async function toBeConsistent(
  this: MatcherState,
  received: readonly Op[] | string,
  opts: ConsistencyMatcherOptions = {},
): Promise<{ pass: boolean; message: () => string }> {
  const history = typeof received === 'string' ? readHistory(received) : received
  if (!Array.isArray(history))
    throw new TypeError(`toBeConsistent expects an Op[] or a history path, got ${typeof received}`)
  const models = opts.models ?? ['strict-serializable']
  const r = checkConsistency(history, { ...opts, models })
  const where = typeof received === 'string' ? describeSource(received) : ''
  const asked = models.join(', ')
  if (r.valid === 'unknown')
    return {
      pass: this.isNot,
      message: () =>
        `the ${r.workload} checker could not decide (valid: "unknown") for ${asked}:\n${r.explanation}${where}`,
    }
  return {
    pass: r.valid,
    message: () =>
      r.valid
        ? `expected the ${r.workload} history to violate ${asked}, but it is consistent (${r.stats.txns} txns)${where}`
        : `expected the ${r.workload} history to be ${asked}, but it is not:\n${r.explanation}${where}`,
  }
}
