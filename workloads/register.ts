// The register workload (the seed's `register`): independent keys, each a compare-and-set
// register driven by a group of client threads with random reads, writes and cas through the
// client server's raw API (TiKV's raw client in atomic mode, so cas is linearizable; etcd's
// KV with a compare txn). After `opsPerKey` ops a group moves on to a fresh key. Checked per key
// for linearizability against the cas-register model.
import { CHECKERS } from '../checker/registry.ts'
import { limit, mix } from '../lib/generator/control.ts'
import type { GenFn } from '../lib/generator/core.ts'
import { concurrent } from '../lib/generator/independent.ts'
import type { Op } from '../lib/history/op.ts'
import { keyspace, type Workload, type WorkloadOptions } from '../lib/workload/workload.ts'

/** Register values are small so that cas and reads often meet the value written. */
const VALUES = 5

/** Threads per key: every node serves each key (threads go round-robin over nodes). */
export function threadsPerKey(concurrency: number): number {
  if (concurrency <= 10) return concurrency
  for (let n = 10; n > 1; n--) if (concurrency % n === 0) return n
  return concurrency
}

const read: GenFn = () => ({ f: 'read', value: null })
const write: GenFn = (ctx) => ({ f: 'write', value: ctx.rng.int(VALUES) })
const cas: GenFn = (ctx) => ({ f: 'cas', value: [ctx.rng.int(VALUES), ctx.rng.int(VALUES)] })

const num = (s: string | null) => (s === null ? null : Number(s))

/** `readsPerWrite`: reads mixed in for each write and each cas (default 1, as in the seed). */
export function register(o: WorkloadOptions, { readsPerWrite = 1 } = {}): Workload {
  const prefix = keyspace('register')
  const ops = [...Array.from({ length: readsPerWrite }, () => read), write, cas]
  const dbKey = (op: Op) => `${prefix}${op.key}`
  return {
    name: 'register',
    generator: concurrent(
      threadsPerKey(o.concurrency),
      (i) => i,
      () => limit(o.opsPerKey, mix(ops)),
    ),
    async invoke(client, op) {
      switch (op.f) {
        case 'read': {
          const c = await client.get(dbKey(op))
          return c.type === 'ok'
            ? { type: 'ok', value: num(c.value ?? null) }
            : { type: c.type, error: c.error }
        }
        case 'write': {
          const c = await client.put(dbKey(op), String(op.value))
          return { type: c.type, error: c.error }
        }
        case 'cas': {
          const [expected, next] = op.value as [number, number]
          const c = await client.cas(dbKey(op), String(expected), String(next))
          return { type: c.type, error: c.error }
        }
        default:
          throw new Error(`register: unknown op f=${op.f}`)
      }
    },
    async check(history, { timeLimitMs }) {
      const analyze = await CHECKERS.linearizable.load()
      return { linearizable: await analyze(history, { model: 'cas-register', timeLimitMs }) }
    },
  }
}
