// The operation record every part of the harness shares (DESIGN §3): one line of history.jsonl.
// Clients invoke an op and complete it with ok (happened), fail (definitely did not happen) or
// info (may or may not have happened); the nemesis logs its faults as info ops.

export type OpType = 'invoke' | 'ok' | 'fail' | 'info'
export const OP_TYPES: readonly OpType[] = ['invoke', 'ok', 'fail', 'info']

/** The commit protocol a TiKV transaction actually used (async commit and 1PC can fall back). */
export type CommitMode = '2pc' | 'async-commit' | '1pc'
export const COMMIT_MODES: readonly CommitMode[] = ['2pc', 'async-commit', '1pc']

/**
 * A transaction's timestamps (DESIGN §3), as decimal strings since TiKV's exceed 2^53: TiKV
 * start_ts/commit_ts, or etcd revisions. Checkers may order transactions by them (T1 < T2 when
 * T1.commit < T2.start).
 */
export interface TxnTimestamps {
  start: string
  /** Absent when it did not commit (or had nothing to commit). */
  commit?: string
  /** The protocol used, when the client could tell. */
  mode?: CommitMode
}

/** Client processes are integers; the fault injector is the string "nemesis". */
export type Process = number | 'nemesis'

export interface Op<V = unknown> {
  /** Dense position in the history, from 0. */
  index: number
  /** Nanoseconds since the test started, from a monotonic clock. */
  time: number
  type: OpType
  process: Process
  f: string
  /** Present for independent (per-key) workloads. */
  key?: string
  value?: V
  error?: string
  /** Which node (client server) served the op, when known. */
  node?: string
  /** A transactional completion's timestamps, when the DB has them. */
  ts?: TxnTimestamps
}

/** An op as a client or generator proposes it, before the runner stamps index/time/process. */
export type OpSpec<V = unknown> = Pick<Op<V>, 'f'> & Partial<Omit<Op<V>, 'index' | 'time' | 'f'>>

export const isInvoke = (op: Op): boolean => op.type === 'invoke'
export const isOk = (op: Op): boolean => op.type === 'ok'
export const isFail = (op: Op): boolean => op.type === 'fail'
export const isInfo = (op: Op): boolean => op.type === 'info'
export const isClient = (op: Op): boolean => typeof op.process === 'number'
export const isNemesis = (op: Op): boolean => op.process === 'nemesis'
