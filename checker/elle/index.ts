// Entry points of the transactional (Elle-class) checker: the two Analyzers that
// checker/registry.ts loads for `jepsen-tikv analyze`, and the richer checkConsistency.
import type { Op } from '../../lib/history/op.ts'
import type { AnalyzeOptions, Analyzer } from '../result.ts'
import { checkConsistency } from './check.ts'
import type { Workload } from './types.ts'

export type { ConsistencyResult } from './check.ts'
export { checkConsistency } from './check.ts'
export { MODELS, ruledOut } from './models.ts'
export type { Anomaly, CheckOptions, CycleStep, Workload } from './types.ts'

const analyzer =
  (workload: Workload): Analyzer =>
  async (history: Op[], opts: AnalyzeOptions) =>
    checkConsistency(history, {
      workload,
      models: [opts.model ?? 'strict-serializable'],
      sequentialKeys: opts.sequentialKeys,
      linearizableKeys: opts.linearizableKeys,
      wfrKeys: opts.wfrKeys,
      timeLimitMs: opts.timeLimitMs,
      timestampOrder: opts.timestampOrder,
      signal: opts.signal,
    })

export const analyzeListAppend: Analyzer = analyzer('list-append')
export const analyzeRwRegister: Analyzer = analyzer('rw-register')
