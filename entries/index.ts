// `jepsen-tikv`: the authoring API (DESIGN §11). Define a workload (a generator, how one op is
// performed through a client server, the checks of its history) and run it against a cluster
// with runWorkload; generators; the checkers as plain functions; reading and writing histories.
// Nothing here imports a test runner, so Vitest and Jest projects (and plain scripts) can use it.

export { type BankOptions, type BankResult, checkBank } from '../checker/bank.ts'
export {
  type Anomaly,
  type CheckOptions as ConsistencyOptions,
  type ConsistencyResult,
  checkConsistency,
  ruledOut,
} from '../checker/elle/index.ts'
export {
  analyze as checkLinearizable,
  casRegister,
  kv,
  type LinearizableOptions,
  type LinearizableResult,
  type Model,
  type ModelOp,
  multiRegister,
  register as registerModel,
} from '../checker/linearizable/index.ts'
export { checkMonotonic, type MonotonicResult } from '../checker/monotonic.ts'
export { CHECKERS, checkerNames } from '../checker/registry.ts'
export {
  type AnalyzeOptions,
  type Analyzer,
  type CheckResult,
  mergeValidity,
  type Validity,
} from '../checker/result.ts'
export { checkSetFull, type SetFullOptions, type SetFullResult } from '../checker/set-full.ts'
export { checkStats } from '../checker/stats.ts'
export { ClientServerClient } from '../lib/client/client.ts'
export type { ClusterInfo } from '../lib/cluster/cluster.ts'
export { startClusterFromEnv } from '../lib/cluster/from-env.ts'
export { ConfigError, optionsFromEnv, type TestOptions } from '../lib/config/options.ts'
export * as gen from '../lib/generator/index.ts'
export { loadHistory } from '../lib/history/load.ts'
export type { CommitMode, Op, OpType, Process, TxnTimestamps } from '../lib/history/op.ts'
export { type Call, pairCalls } from '../lib/history/pairs.ts'
export { HistoryError, parseHistory, readHistory } from '../lib/history/read.ts'
export { HistoryWriter, type HistoryWriterOptions } from '../lib/history/writer.ts'
export type { Completion } from '../lib/runner/client.ts'
export { type RunWorkloadOptions, runWorkload, type WorkloadRun } from '../lib/workload/run.ts'
export { keyspace, staggerInterval, type Workload, type WorkloadOptions } from '../lib/workload/workload.ts'
export { ACCOUNTS, bank, INITIAL } from '../workloads/bank.ts'
export { LIST_APPEND_MODEL, listAppend } from '../workloads/list-append.ts'
export { COUNTERS, monotonic } from '../workloads/monotonic.ts'
export { register } from '../workloads/register.ts'
export { rwRegister } from '../workloads/rw-register.ts'
export { set } from '../workloads/set.ts'
