// Elle-style transaction generator shared by list-append and rw-register: transactions of 1–4
// micro-ops over a small pool of active keys, half reads and half writes; each key's written
// values are 1, 2, 3, … (unique per key, as Elle requires), and a key that has had
// `maxWritesPerKey` writes is retired for a fresh one, so histories stay cheap to check while
// every key sees contention. `txnWorkload` turns that into a workload run through the client
// server's one-shot Txn call and checked by the Elle-class checker.
import { CHECKERS } from '../checker/registry.ts'
import type { ElleMicroOp } from '../lib/client/client.ts'
import type { GenFn } from '../lib/generator/core.ts'
import { keyspace, txnOptions, type Workload, type WorkloadOptions } from '../lib/workload/workload.ts'

export interface TxnGeneratorOptions {
  /** Key prefix in the DB, e.g. "la/". */
  prefix: string
  /** The write micro-op: "append" (list-append) or "w" (rw-register). */
  write: 'append' | 'w'
  activeKeys?: number
  maxTxnLength?: number
  maxWritesPerKey?: number
}

export function txnGenerator(o: TxnGeneratorOptions): GenFn {
  const activeKeys = o.activeKeys ?? 8
  const maxLength = o.maxTxnLength ?? 4
  const maxWrites = o.maxWritesPerKey ?? 32
  const active = Array.from({ length: activeKeys }, (_, i) => i)
  const writes = new Map<number, number>()
  let nextKey = activeKeys
  return (ctx) => {
    const length = 1 + ctx.rng.int(maxLength)
    const mops: ElleMicroOp[] = []
    for (let i = 0; i < length; i++) {
      const slot = ctx.rng.int(active.length)
      const k = active[slot]
      if (ctx.rng.next() < 0.5) {
        mops.push(['r', `${o.prefix}${k}`, null])
        continue
      }
      const v = (writes.get(k) ?? 0) + 1
      writes.set(k, v)
      mops.push([o.write, `${o.prefix}${k}`, v])
      if (v >= maxWrites) {
        writes.delete(k)
        active[slot] = nextKey++
      }
    }
    return { f: 'txn', value: mops }
  }
}

export interface TxnWorkloadSpec {
  name: 'list-append' | 'rw-register'
  write: 'append' | 'w'
  /** Checker in checker/registry.ts, and the consistency model it must confirm. */
  checker: 'list-append' | 'rw-register'
  model: string
}

/**
 * A workload whose ops are Elle transactions run through the one-shot Txn call; completions
 * carry the transactions' timestamps, which the check orders by with --timestamp-order.
 */
export function txnWorkload(spec: TxnWorkloadSpec, o: WorkloadOptions): Workload {
  const txn = { reads: spec.write === 'append' ? ('list' as const) : ('register' as const), ...txnOptions(o) }
  return {
    name: spec.name,
    generator: txnGenerator({ prefix: keyspace(spec.name), write: spec.write }),
    async invoke(client, op) {
      const { value, ...c } = await client.txn(op.value as ElleMicroOp[], txn)
      return c.type === 'ok' ? { ...c, value } : c
    },
    async check(history, { timeLimitMs }) {
      const analyze = await CHECKERS[spec.checker].load()
      const opts = { model: spec.model, timeLimitMs, timestampOrder: o.timestampOrder }
      return { [spec.checker]: await analyze(history, opts) }
    },
  }
}
