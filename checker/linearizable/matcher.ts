// `await expect(history).toBeLinearizable({ model: 'cas-register', timeLimit: 10 })`: an async
// Vitest matcher (it returns a Promise: always await it) over an Op[] or a history file / store
// run directory. `timeLimit` is in seconds, like `jepsen-tikv analyze --time-limit`. The failure
// message is the checker's short explanation. "unknown" (time limit, memory bound) fails both
// `toBeLinearizable` and `.not.toBeLinearizable`, saying that the checker could not decide.
import type { MatcherState } from 'vitest'
import { describeSource, loadHistory } from '../../lib/history/load.ts'
import type { Op } from '../../lib/history/op.ts'
import { analyze, type LinearizableOptions } from './index.ts'

export type LinearizableMatcherOptions = Omit<LinearizableOptions, 'timeLimitMs' | 'signal' | 'startedAt'> & {
  /** Seconds before the checker gives up with "unknown" (which fails the matcher). */
  timeLimit?: number
}

export async function toBeLinearizable(
  this: MatcherState,
  received: readonly Op[] | string,
  opts: LinearizableMatcherOptions = {},
): Promise<{ pass: boolean; message: () => string }> {
  const history = typeof received === 'string' ? await loadHistory(received) : received
  if (!Array.isArray(history))
    throw new TypeError(`toBeLinearizable expects an Op[] or a history path, got ${typeof received}`)
  const { timeLimit, ...rest } = opts
  const r = await analyze(history as Op[], {
    ...rest,
    ...(timeLimit !== undefined ? { timeLimitMs: timeLimit * 1000 } : {}),
  })
  const where = typeof received === 'string' ? describeSource(received) : ''
  if (r.valid === 'unknown')
    return {
      pass: this.isNot,
      message: () =>
        `the linearizability checker could not decide (valid: "unknown"):\n${r.explanation}${where}`,
    }
  return {
    pass: r.valid,
    message: () =>
      r.valid
        ? `expected the history not to be linearizable (model ${r.model}), but it is (${r.parts} part${r.parts === 1 ? '' : 's'}, ${r.configurations} configurations)${where}`
        : `expected the history to be linearizable, but it is not:\n${r.explanation}${where}`,
  }
}
