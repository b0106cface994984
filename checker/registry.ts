// The checkers `jepsen-tikv analyze` and the workloads can run by name, with the models each
// accepts. Checker modules are imported lazily so that loading the CLI stays fast.
// The checker modules take the Analyzer types from result.ts, never from this file, so the
// registry and the checker indexes do not import each other in a circle.
import type { Analyzer } from './result.ts'

/** Checker parameters beyond the model, as AnalyzeOptions names them. */
export type CheckerParam = 'initial' | 'timestampOrder' | 'sequentialKeys' | 'linearizableKeys' | 'wfrKeys'

export interface CheckerEntry {
  models: readonly string[]
  defaultModel: string
  /** The parameters this checker takes; giving it another is a usage error. */
  params: readonly CheckerParam[]
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
    params: ['initial'],
    load: async () => (await import('./linearizable/index.ts')).analyze,
  },
  'list-append': {
    models: TXN_MODELS,
    defaultModel: 'strict-serializable',
    params: ['timestampOrder'],
    load: async () => (await import('./elle/index.ts')).analyzeListAppend,
  },
  'rw-register': {
    models: TXN_MODELS,
    defaultModel: 'strict-serializable',
    params: ['timestampOrder', 'sequentialKeys', 'linearizableKeys', 'wfrKeys'],
    load: async () => (await import('./elle/index.ts')).analyzeRwRegister,
  },
  // Counters in transaction timestamp order (its one model).
  monotonic: {
    models: ['timestamp-order'],
    defaultModel: 'timestamp-order',
    params: [],
    load: async () => {
      const { checkMonotonic } = await import('./monotonic.ts')
      return async (history) => checkMonotonic(history)
    },
  },
}

export const checkerNames = (): string[] => Object.keys(CHECKERS)
