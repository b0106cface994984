// The monotonic workload (after TiDB's Jepsen suite): COUNTERS counters start absent (0); an
// `inc` increments one or two of them in an interactive transaction whose reads lock (so that
// concurrent increments of a counter conflict instead of losing updates) and completes with
// their new values; a `read` reads every counter in one transaction. Every completion carries
// the transaction's timestamps (TiKV start/commit ts, etcd revisions), and checker/monotonic.ts
// checks the counters in timestamp order: no read below a value committed before its start ts,
// none of a value committed after it, later reads never lower, values growing with commit ts.
import { checkMonotonic } from '../checker/monotonic.ts'
import type { ElleMicroOp } from '../lib/client/client.ts'
import { mix } from '../lib/generator/control.ts'
import type { GenFn } from '../lib/generator/core.ts'
import { interactiveTxn, TxnAbort } from '../lib/workload/interactive.ts'
import { keyspace, txnOptions, type Workload, type WorkloadOptions } from '../lib/workload/workload.ts'

export const COUNTERS = 5

/** One counter, or two different ones (a transaction that may span regions). */
const inc: GenFn = (ctx) => {
  const a = ctx.rng.int(COUNTERS)
  if (ctx.rng.next() < 0.5) return { f: 'inc', value: [a] }
  return { f: 'inc', value: [a, (a + 1 + ctx.rng.int(COUNTERS - 1)) % COUNTERS] }
}
const read: GenFn = () => ({ f: 'read', value: null })

export function monotonic(o: WorkloadOptions): Workload {
  const prefix = keyspace('monotonic')
  const counterKey = (c: number) => `${prefix}${c}`
  const READ: ElleMicroOp[] = Array.from({ length: COUNTERS }, (_, c) => ['r', counterKey(c), null])
  const incOptions = { ...txnOptions(o), lockReads: true }
  return {
    name: 'monotonic',
    generator: mix([inc, read]),
    async invoke(client, op) {
      if (op.f === 'inc')
        return interactiveTxn(client, incOptions, async (tx) => {
          const values: Record<number, number> = {}
          for (const c of op.value as number[]) {
            const text = await tx.get(counterKey(c))
            const n = text === null ? 0 : Number(text)
            if (!Number.isSafeInteger(n)) throw new TxnAbort(`counter ${c} holds ${JSON.stringify(text)}`)
            await tx.put(counterKey(c), String(n + 1))
            values[c] = n + 1
          }
          return values
        })
      if (op.f === 'read') {
        const { value, ...c } = await client.txn(READ, { reads: 'register', ...txnOptions(o) })
        if (c.type !== 'ok') return c
        return {
          ...c,
          value: Object.fromEntries((value ?? []).map(([, , v], i) => [i, (v as number | null) ?? 0])),
        }
      }
      throw new Error(`monotonic: unknown op f=${op.f}`)
    },
    async check(history) {
      return { monotonic: checkMonotonic(history) }
    },
  }
}
