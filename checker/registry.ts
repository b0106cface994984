// The checkers `jepsen-tikv analyze` and the workloads can run by name, with the models each
// accepts. Checker modules are imported lazily so that loading the CLI stays fast.
import type { Op } from '../lib/history/op.ts'
import type { CheckResult } from './result.ts'

export interface AnalyzeOptions {
  /** Model name; each checker lists the ones it accepts. */
  model?: string
  /** Wall-clock budget; past it the checker answers "unknown". */
  timeLimitMs?: number
  /** Order transactions by their timestamps (DESIGN §3 `ts`); checkers with `timestampOrder`. */
  timestampOrder?: boolean
  signal?: AbortSignal
}

export type Analyzer = (history: Op[], opts: AnalyzeOptions) => Promise<CheckResult>

export interface CheckerEntry {
  models: readonly string[]
  defaultModel: string
  /** The checker can order transactions by their timestamps (AnalyzeOptions.timestampOrder). */
  timestampOrder?: boolean
  load: () => Promise<Analyzer>
}

const TXN_MODELS = [
  'read-uncommitted',
  'read-committed',
  'repeatable-read',
  'snapshot-isolation',
  'serializable',
  'strict-serializable',
  'strong-session-snapshot-isolation',
  'strong-snapshot-isolation',
  'strong-session-serializable',
] as const

export const CHECKERS: Record<string, CheckerEntry> = {
  linearizable: {
    models: ['register', 'cas-register', 'multi-register', 'kv'],
    defaultModel: 'cas-register',
    load: async () => (await import('./linearizable/index.ts')).analyze,
  },
  'list-append': {
    models: TXN_MODELS,
    defaultModel: 'strict-serializable',
    timestampOrder: true,
    load: async () => (await import('./elle/index.ts')).analyzeListAppend,
  },
  'rw-register': {
    models: TXN_MODELS,
    defaultModel: 'strict-serializable',
    timestampOrder: true,
    load: async () => (await import('./elle/index.ts')).analyzeRwRegister,
  },
  // Counters in transaction timestamp order (its one model).
  monotonic: {
    models: ['timestamp-order'],
    defaultModel: 'timestamp-order',
    load: async () => {
      const { checkMonotonic } = await import('./monotonic.ts')
      return async (history) => checkMonotonic(history)
    },
  },
}

export const checkerNames = (): string[] => Object.keys(CHECKERS)
