// The rw-register workload (Elle's rw-register test): transactions of writes and reads of
// integer registers, checked like list-append against the model the target promises. Register
// reads reveal less than list reads (no version order from a single read), so this workload
// finds fewer anomalies per op but exercises plain read/write transactions.
import type { DbName } from '../lib/db/db.ts'
import type { Workload, WorkloadOptions } from '../lib/workload/workload.ts'
import { LIST_APPEND_MODEL } from './list-append.ts'
import { txnWorkload } from './txn-generator.ts'

export function rwRegister(o: WorkloadOptions & { db: DbName }): Workload {
  return txnWorkload(
    { name: 'rw-register', write: 'w', checker: 'rw-register', model: LIST_APPEND_MODEL[o.db] },
    o,
  )
}
