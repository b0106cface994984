// The list-append workload (Elle's append test): transactions of appends and reads on lists
// (TiKV: optimistic or pessimistic transactions per --txn-mode; etcd: one etcd transaction),
// checked against the strongest model the target promises: strict-serializable for etcd,
// snapshot-isolation for TiKV (Percolator-style transactions with TSO timestamps).
import type { DbName } from '../lib/db/db.ts'
import type { Workload, WorkloadOptions } from '../lib/workload/workload.ts'
import { txnWorkload } from './txn-generator.ts'

export const LIST_APPEND_MODEL: Record<DbName, string> = {
  etcd: 'strict-serializable',
  tikv: 'snapshot-isolation',
}

export function listAppend(o: WorkloadOptions & { db: DbName }): Workload {
  return txnWorkload(
    { name: 'list-append', write: 'append', checker: 'list-append', model: LIST_APPEND_MODEL[o.db] },
    o,
  )
}
