// The set workload (Jepsen's set-full): clients add unique integers and read the whole set. An
// element goes into one of BUCKETS keys (list-append in a transaction), so there is no single
// hot key; a read reads every bucket in one transaction. Reads run throughout the test and once
// more per thread after the final heal. Checked with set-full (lost, stale, never-read and
// unexpected elements); on etcd, whose transactions are strictly serializable, stale reads count
// as errors too.
import { checkSetFull } from '../checker/set-full.ts'
import type { ElleMicroOp } from '../lib/client/client.ts'
import { mix, once } from '../lib/generator/control.ts'
import type { GenFn } from '../lib/generator/core.ts'
import { eachThread } from '../lib/generator/threads.ts'
import { keyspace, txnOptions, type Workload, type WorkloadOptions } from '../lib/workload/workload.ts'

export const BUCKETS = 8

export function set(o: WorkloadOptions & { linearizable: boolean }): Workload {
  const prefix = keyspace('set')
  const bucketKey = (i: number) => `${prefix}${i}`
  const READ: ElleMicroOp[] = Array.from({ length: BUCKETS }, (_, i) => ['r', bucketKey(i), null])
  let next = 0
  const add: GenFn = () => ({ f: 'add', value: next++ })
  const read: GenFn = () => ({ f: 'read', value: null })
  const txn = { reads: 'list' as const, ...txnOptions(o) }
  return {
    name: 'set',
    // Mostly adds, with a read for every four adds.
    generator: mix([add, add, add, add, read]),
    final: eachThread(once(read)),
    async invoke(client, op) {
      if (op.f === 'add') {
        const v = op.value as number
        const { value: _, ...c } = await client.txn([['append', bucketKey(v % BUCKETS), v]], txn)
        return c
      }
      if (op.f === 'read') {
        const { value, ...c } = await client.txn(READ, txn)
        if (c.type !== 'ok') return c
        const values = (value ?? []).flatMap(([, , v]) => (Array.isArray(v) ? v : []))
        return { ...c, value: values.sort((a, b) => a - b) }
      }
      throw new Error(`set: unknown op f=${op.f}`)
    },
    async check(history) {
      return { 'set-full': checkSetFull(history, { linearizable: o.linearizable }) }
    },
  }
}
