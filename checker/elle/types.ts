// Shared vocabulary of the transactional (Elle-class) checker: micro-ops, transactions as the
// checker sees them, dependency-edge labels, anomaly records and check options.
import type { Op, TxnTimestamps } from '../../lib/history/op.ts'

export type Workload = 'list-append' | 'rw-register'
export type Key = string | number
export type Elem = string | number

/** A micro-op: `["append", k, v]`, `["w", k, v]` or `["r", k, value]`. */
export type Mop = [f: string, key: Key, value: unknown]

/** One transaction: an invocation paired with its completion (either may be missing). */
export interface Txn {
  /** Dense node id in the dependency graph (position in the txn list). */
  id: number
  /** History index that names this txn in reports: the completion's, else the invocation's. */
  op: number
  /** History index of the invocation, when the history has one (realtime edges need it). */
  invokeAt?: number
  /** History index of the completion; undefined when the history ended first. */
  completeAt?: number
  process: number
  /** ok committed, fail did not, info may or may not have (a missing completion counts as info). */
  type: 'ok' | 'fail' | 'info'
  /** The completion's micro-ops for ok txns (reads filled in), else the invocation's. */
  mops: Mop[]
  /** The completion's transaction timestamps (DESIGN §3), when it has them. */
  ts: TxnTimestamps | undefined
}

/** Edge labels, as bits: a dependency graph edge may carry several. */
export const WW = 1
export const WR = 2
export const RW = 4
export const PROCESS = 8
export const REALTIME = 16
/** Timestamp order: T1 committed at a timestamp before T2's start timestamp. */
export const TIMESTAMP = 32
export const DEPENDENCY = WW | WR | RW

export const LABEL_NAMES: Record<number, string> = {
  [WW]: 'ww',
  [WR]: 'wr',
  [RW]: 'rw',
  [PROCESS]: 'process',
  [REALTIME]: 'realtime',
  [TIMESTAMP]: 'timestamp',
}

/** One anomaly instance; `type` is its name (e.g. "G1a", "G-single-item-realtime"). */
export interface Anomaly {
  type: string
  /** A sentence or a few lines saying what was observed. */
  explanation: string
  [detail: string]: unknown
}

/** One step of a cycle, for the HTML report's graph: from txn `from` to txn `to`. */
export interface CycleStep {
  from: number
  to: number
  type: 'ww' | 'wr' | 'rw' | 'process' | 'realtime' | 'timestamp'
  key?: Key
  /** The version the step starts from (null is the initial state); timestamp: `from`'s commit ts. */
  value?: unknown
  /** The version the step leads to (ww and rw); timestamp: `to`'s start ts. */
  value2?: unknown
  process?: number
}

export interface CheckOptions {
  /** Consistency models the history must satisfy; default ['strict-serializable']; null for none. */
  models?: string[] | null
  /** Extra anomaly names to look for (each includes the anomalies that imply it). */
  anomalies?: string[]
  /** Detected from the micro-ops when absent. */
  workload?: Workload
  /** rw-register: each process observes a key's versions in order. */
  sequentialKeys?: boolean
  /** rw-register: each key's versions follow realtime order. */
  linearizableKeys?: boolean
  /** rw-register: within a txn, a read of k precedes that txn's write of k in version order. */
  wfrKeys?: boolean
  /**
   * Order txns by their timestamps (DESIGN §3 `ts`): T1 < T2 when T1's commit ts < T2's start
   * ts, as snapshot isolation with timestamps promises. Cycles through such edges are the
   * "-timestamp" anomalies, forbidden by snapshot-isolation and every stronger model.
   */
  timestampOrder?: boolean
  /** Budget for the whole cycle search; past it a search reports "cycle-search-timeout". */
  timeLimitMs?: number
  signal?: AbortSignal
}

/** What a workload's inference hands to the graph and cycle search. */
export interface Inference {
  /** Input problems (non-unique writes) that make any verdict "unknown". */
  problems: string[]
  anomalies: Anomaly[]
  /** Adds ww/wr/rw edges. */
  edges: (add: (from: number, to: number, label: number) => void) => void
  /** Finds the key and versions behind a ww/wr/rw edge, for a cycle step. */
  explainStep: (from: Txn, to: Txn, label: number) => CycleStep | undefined
}

export type History = readonly Op[]
