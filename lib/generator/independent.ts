// Independent (per-key) workloads, Jepsen's independent/concurrent-generator: the client
// threads are split into groups of `n`; each group works on one key at a time with a fresh
// `perKey(key)` generator and takes the next unused key when that generator is exhausted. Ops
// carry the key in `op.key`, so checkers can split the history per key (lib/history/pairs.ts).
import type { Context, Thread } from './context.ts'
import { clientThreads, processToThread } from './context.ts'
import type { Event, Gen, Generator, Step } from './core.ts'
import { op, PENDING, update } from './core.ts'
import { soonest } from './soonest.ts'

export type Key = string | number

/** `keys` is a list, or a function from position to key (undefined when there are no more). */
export type Keys = readonly Key[] | ((i: number) => Key | undefined)

interface Group {
  threads: readonly Thread[]
  /** undefined once the keys have run out for this group. */
  key: string | undefined
  gen: Gen
}

export function concurrent(n: number, keys: Keys, perKey: (key: Key) => Gen): Generator {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`independent.concurrent: n (threads per key) must be an integer >= 1, got ${n}`)
  const keyAt = typeof keys === 'function' ? keys : (i: number) => keys[i]
  return new Concurrent(n, keyAt, perKey, undefined, new Map(), 0)
}

class Concurrent implements Generator {
  constructor(
    private readonly n: number,
    private readonly keyAt: (i: number) => Key | undefined,
    private readonly perKey: (key: Key) => Gen,
    /** Made on the first op, when the threads are known. */
    private readonly groups: readonly Group[] | undefined,
    /** Thread -> index of its group (filled in with the groups). */
    private readonly groupOf: Map<Thread, number>,
    private readonly nextKey: number,
  ) {}

  private init(ctx: Context): Concurrent {
    const threads = clientThreads(ctx)
    if (threads.length === 0 || threads.length % this.n !== 0)
      throw new Error(
        `independent.concurrent: concurrency ${threads.length} (client threads) is not a multiple of n=${this.n} threads per key; use a concurrency of ${Math.max(1, Math.ceil(threads.length / this.n)) * this.n} or change n`,
      )
    const groupOf = new Map(threads.map((t, i) => [t, Math.floor(i / this.n)]))
    let next: Concurrent = new Concurrent(this.n, this.keyAt, this.perKey, [], groupOf, this.nextKey)
    for (let i = 0; i < threads.length; i += this.n) {
      const group = { threads: threads.slice(i, i + this.n), key: undefined, gen: null }
      next = next.withGroup(next.groups!.length, group, true)
    }
    return next
  }

  /** Stores `group` at index i; with `advance`, gives it the next key and a fresh generator. */
  private withGroup(i: number, group: Group, advance: boolean): Concurrent {
    let nextKey = this.nextKey
    let g = group
    if (advance) {
      const k = this.keyAt(nextKey)
      g =
        k === undefined
          ? { ...group, key: undefined, gen: null }
          : { ...group, key: String(k), gen: this.perKey(k) }
      if (k !== undefined) nextKey++
    }
    const groups = this.groups!.slice()
    groups[i] = g
    return new Concurrent(this.n, this.keyAt, this.perKey, groups, this.groupOf, nextKey)
  }

  /** The context as group i sees it: its own threads, and those of them that are free. */
  private sub(ctx: Context, i: number, free?: Thread[]): Context {
    const threads = this.groups![i].threads
    return { ...ctx, threads, free: free ?? ctx.free.filter((t) => this.groupOf.get(t) === i) }
  }

  op(ctx: Context): Step {
    let self: Concurrent = this.groups ? this : this.init(ctx)
    for (;;) {
      const groups = self.groups!
      const free: Thread[][] = groups.map(() => [])
      for (const t of ctx.free) free[self.groupOf.get(t) ?? -1]?.push(t)
      const steps = groups.map((g, i) => {
        if (g.key === undefined) return null
        return free[i].length === 0 ? ([PENDING, g.gen] as const) : op(g.gen, self.sub(ctx, i, free[i]))
      })
      // A group whose generator is exhausted moves on to the next key; ask again.
      const done = steps.findIndex((s, i) => s === null && groups[i].key !== undefined)
      if (done !== -1) {
        self = self.withGroup(done, groups[done], true)
        continue
      }
      const i = soonest(
        steps.map((s) => (s === null ? null : { op: s[0], weight: 1 })),
        ctx.rng,
      )
      if (i === -1) return null
      const [o, next] = steps[i] as NonNullable<Step>
      if (o === PENDING) return [PENDING, self]
      const key = groups[i].key
      return [{ ...o, key }, self.withGroup(i, { ...groups[i], gen: next }, false)]
    }
  }

  update(ctx: Context, event: Event): Gen {
    if (!this.groups) return this
    const i = this.groupOf.get(processToThread(ctx, event.process))
    if (i === undefined) return this
    const g = this.groups[i]
    // Completions of a key the group has already left do not concern its new generator.
    if (g.key === undefined || event.key !== g.key) return this
    return this.withGroup(i, { ...g, gen: update(g.gen, this.sub(ctx, i), event) }, false)
  }
}
