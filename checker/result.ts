// The shape every checker returns (DESIGN §9): a validity, a one-paragraph explanation a person
// can read in a terminal, and checker-specific structured data for reports; and the signature
// of a checker that `jepsen-tikv analyze` runs by name (checker/registry.ts).
import type { Op } from '../lib/history/op.ts'

/** `"unknown"` means the checker could not decide (time or memory limit); it is never a pass. */
export type Validity = true | false | 'unknown'

export interface CheckResult {
  valid: Validity
  /** Which checker produced this result (e.g. "linearizable", "list-append", "set-full"). */
  checker: string
  /** Short, human-readable account of the verdict; always present when valid is not true. */
  explanation?: string
  [detail: string]: unknown
}

/** Combines validities: any false is false, else any unknown is unknown, else true. */
export function mergeValidity(vs: Iterable<Validity>): Validity {
  let out: Validity = true
  for (const v of vs) {
    if (v === false) return false
    if (v === 'unknown') out = 'unknown'
  }
  return out
}

export interface AnalyzeOptions {
  /** Model name; each checker lists the ones it accepts. */
  model?: string
  /** The model's initial value (linearizable checker). */
  initial?: unknown
  /** rw-register: each key's writes are sequentially consistent (Elle's sequential-keys?). */
  sequentialKeys?: boolean
  /** rw-register: each key's writes are linearizable (Elle's linearizable-keys?). */
  linearizableKeys?: boolean
  /** rw-register: on each key, a txn's write follows the version it read (Elle's wfr-keys?). */
  wfrKeys?: boolean
  /** Wall-clock budget; past it the checker answers "unknown". */
  timeLimitMs?: number
  /** Order transactions by their timestamps (DESIGN §3 `ts`); the transactional checkers. */
  timestampOrder?: boolean
  signal?: AbortSignal
}

export type Analyzer = (history: Op[], opts: AnalyzeOptions) => Promise<CheckResult>
