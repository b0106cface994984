// What a workload is (Jepsen's workload map): the client generator of the main phase, the final
// ops after the cluster has healed, how one op is performed against a client server, an optional
// one-time setup, and the checks of the history. Workload definitions live in workloads/<name>.ts
// next to their test files; lib/workload/run.ts runs one against a cluster.
import type { CheckResult } from '../../checker/result.ts'
import type { ClientServerClient, TxnOptions } from '../client/client.ts'
import type { TestOptions } from '../config/options.ts'
import type { Gen } from '../generator/core.ts'
import type { Op } from '../history/op.ts'
import type { Completion } from '../runner/client.ts'

export interface Workload {
  name: string
  /** Client generator of the main phase; runWorkload bounds it with the time limit. */
  generator: Gen
  /** Client ops after the final heal and recovery (e.g. final reads); optional. */
  final?: Gen
  /** Performs one op through a client server and says how it ended. */
  invoke(client: ClientServerClient, op: Op, signal: AbortSignal): Promise<Completion>
  /** Runs once before the test (e.g. the bank's initial balances). */
  setup?(client: ClientServerClient): Promise<void>
  /** Every check of the history, by checker name. */
  check(history: Op[], opts: { timeLimitMs?: number }): Promise<Record<string, CheckResult>>
}

/** The options a workload definition reads. */
export type WorkloadOptions = Pick<
  TestOptions,
  'concurrency' | 'rate' | 'opsPerKey' | 'txnMode' | 'asyncCommit' | 'onePc' | 'timestampOrder' | 'seed'
>

/**
 * The transaction options (mode, commit protocols) every transactional op of a workload uses.
 * Pessimistic transactions read with locks (get_for_update, SQL's SELECT ... FOR UPDATE): TiKV's
 * pessimistic writes lock at a fresh for_update_ts and never validate what a plain read saw at
 * start_ts, so a read-then-write without a locking read may lose an update. That is TiKV's
 * pessimistic semantics, not snapshot isolation, and the first live pessimistic runs showed it
 * (bank total 94 of 100, list-append incompatible-order: evidence/tikv-v8.1.2/README.md).
 */
export function txnOptions(o: Pick<WorkloadOptions, 'txnMode' | 'asyncCommit' | 'onePc'>): TxnOptions {
  return {
    mode: o.txnMode,
    lockReads: o.txnMode === 'pessimistic',
    asyncCommit: o.asyncCommit,
    onePc: o.onePc,
  }
}

/** Total op rate of all client workers as a stagger interval in seconds (0 = no stagger). */
export function staggerInterval(o: Pick<WorkloadOptions, 'rate' | 'concurrency'>): number {
  return o.rate > 0 ? 1 / (o.rate * o.concurrency) : 0
}

/**
 * A fresh key prefix for one workload run, e.g. "register/lq3k9a/": runs share a cluster (the
 * workloads project provisions one for all files), so each run must start from keys no earlier
 * run has written.
 */
export function keyspace(name: string): string {
  return `${name}/${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}/`
}
