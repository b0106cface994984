// In-process databases of known isolation that emit list-append or rw-register histories, for
// testing and benchmarking the checker. Each client process runs one txn at a time; the
// scheduler interleaves their steps at random (seeded). Isolation levels:
// - strict-serializable: the whole txn runs atomically at its completion.
// - snapshot-isolation: reads see the snapshot taken at invocation plus the txn's own writes;
//   commit fails if another txn committed a write to one of its keys since (first committer wins).
// - read-committed: each read sees the latest committed state plus own writes; a write takes the
//   key's lock until commit, and a txn that finds the lock taken aborts (no-wait locking).
// With `timestamps`, snapshot-isolation and strict-serializable completions carry DESIGN §3 `ts`
// consistent with what the txn saw (start: its snapshot; commit: its commit, for txns that
// wrote), as TiKV-sized decimal strings beyond 2^53.
import { Rng } from '../../../lib/generator/random.ts'
import type { Op } from '../../../lib/history/op.ts'
import type { Key, Mop, Workload } from '../types.ts'

export type Isolation = 'strict-serializable' | 'snapshot-isolation' | 'read-committed'

export interface SimOptions {
  workload: Workload
  isolation: Isolation
  txns: number
  concurrency: number
  /** Keys in use at a time (default 5); a key retires after `writesPerKey` writes. */
  keys?: number
  writesPerKey?: number
  /** Micro-ops per txn: 1..maxMops (default 4). */
  maxMops?: number
  seed?: number
  /** Completions carry transaction timestamps (not for read-committed, which has no snapshot). */
  timestamps?: boolean
}

/** Timestamps start here: above 2^53, like TiKV's. */
const TS_BASE = 443762935392895012n
/** A snapshot at commit clock c is start ts 2c + 1; commit clock c is commit ts 2c. */
const startTs = (clock: number): string => String(TS_BASE + 2n * BigInt(clock) + 1n)
const commitTs = (clock: number): string => String(TS_BASE + 2n * BigInt(clock))

type Value = number[] | number | null

interface Running {
  mops: Mop[]
  next: number
  snapshot: number
  writes: Map<Key, Value>
}

export function simulate(o: SimOptions): Op[] {
  if (o.timestamps && o.isolation === 'read-committed')
    throw new Error('simulate: a read-committed store has no snapshot, so no timestamps (timestamps: true)')
  const rng = new Rng(o.seed ?? 1)
  const rand = () => rng.next()
  const pick = (n: number): number => Math.floor(rand() * n)
  const list = o.workload === 'list-append'
  const writesPerKey = o.writesPerKey ?? 32
  const active = Array.from({ length: o.keys ?? 5 }, (_, i) => i)
  const written = new Map<number, number>()
  let nextKey = active.length
  let nextValue = 1
  /** Committed versions per key, oldest first: [commit clock, value]. */
  const store = new Map<Key, [number, Value][]>()
  let clock = 0
  const history: Op[] = []
  const emit = (process: number, type: Op['type'], value: Mop[], ts?: Op['ts']): void => {
    const op: Op = { index: history.length, time: history.length, type, process, f: 'txn', value }
    if (o.timestamps && ts) op.ts = ts
    history.push(op)
  }

  const latest = (k: Key, asOf = Number.POSITIVE_INFINITY): Value => {
    const vs = store.get(k) ?? []
    for (let i = vs.length - 1; i >= 0; i--) if (vs[i][0] <= asOf) return vs[i][1]
    return null
  }
  const newTxn = (): Mop[] =>
    Array.from({ length: 1 + pick(o.maxMops ?? 4) }, (): Mop => {
      const slot = pick(active.length)
      const k = active[slot]
      if (rand() < 0.5) return ['r', k, null]
      const n = (written.get(k) ?? 0) + 1
      written.set(k, n)
      if (n >= writesPerKey) active[slot] = nextKey++
      return [list ? 'append' : 'w', k, nextValue++]
    })
  /** Runs one micro-op against `base` (what the txn can see) and its own writes. */
  const exec = (t: Running, i: number, base: (k: Key) => Value): void => {
    const [f, k, v] = t.mops[i]
    const seen = t.writes.has(k) ? t.writes.get(k)! : base(k)
    if (f === 'r') t.mops[i] = ['r', k, Array.isArray(seen) ? [...seen] : seen]
    else t.writes.set(k, list ? [...((seen as number[] | null) ?? []), v as number] : (v as number))
  }
  const locks = new Map<Key, Running>()
  const release = (t: Running): void => {
    for (const k of t.writes.keys()) if (locks.get(k) === t) locks.delete(k)
  }
  const commit = (t: Running): boolean => {
    if (o.isolation === 'snapshot-isolation')
      for (const k of t.writes.keys()) if ((store.get(k)?.at(-1)?.[0] ?? 0) > t.snapshot) return false
    clock++
    for (const [k, v] of t.writes) {
      const vs = store.get(k) ?? []
      store.set(k, vs)
      vs.push([clock, list ? [...((latest(k) as number[] | null) ?? []), ...ownAppends(t, k)] : v])
    }
    return true
  }
  const ownAppends = (t: Running, k: Key): number[] =>
    t.mops.filter((m) => m[0] === 'append' && m[1] === k).map((m) => m[2] as number)

  const running: (Running | undefined)[] = Array(o.concurrency).fill(undefined)
  let started = 0
  let open = 0
  while (started < o.txns || open > 0) {
    const p = pick(o.concurrency)
    const t = running[p]
    if (!t) {
      if (started >= o.txns) continue
      const mops = newTxn()
      emit(
        p,
        'invoke',
        mops.map(([f, k, v]): Mop => [f, k, f === 'r' ? null : v]),
      )
      running[p] = { mops, next: 0, snapshot: clock, writes: new Map() }
      started++
      open++
      continue
    }
    if (o.isolation === 'strict-serializable') {
      t.snapshot = clock
      t.mops.forEach((_, i) => {
        exec(t, i, (k) => latest(k))
      })
    } else if (t.next < t.mops.length) {
      const [f, k] = t.mops[t.next]
      const blocked = o.isolation === 'read-committed' && f !== 'r' && (locks.get(k) ?? t) !== t
      if (!blocked) {
        if (o.isolation === 'read-committed' && f !== 'r') locks.set(k, t)
        const snapshot = o.isolation === 'snapshot-isolation' ? t.snapshot : Number.POSITIVE_INFINITY
        exec(t, t.next++, (k) => latest(k, snapshot))
        continue
      }
    }
    const done = t.next >= t.mops.length || o.isolation === 'strict-serializable'
    const committed = done && commit(t)
    const ts = {
      start: startTs(t.snapshot),
      ...(committed && t.writes.size > 0 ? { commit: commitTs(clock) } : {}),
    }
    emit(p, committed ? 'ok' : 'fail', t.mops, ts)
    release(t)
    running[p] = undefined
    open--
  }
  return history
}
