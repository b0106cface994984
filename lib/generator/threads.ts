// Combinators that decide which worker threads run which generator (Jepsen semantics):
// onThreads, clients / nemesis routing, eachThread, reserve, synchronize, phases and andThen (Jepsen's then).
import type { Context, Thread } from './context.ts'
import { allFree, clientThreads, processToThread, restrict } from './context.ts'
import { any } from './control.ts'
import type { Event, Gen, Generator, Step } from './core.ts'
import { op, PENDING, update } from './core.ts'
import { soonest } from './soonest.ts'

/**
 * `gen` sees only the threads `keep` accepts (in its context) and only their events.
 */
export function onThreads(keep: (t: Thread) => boolean, gen: Gen): Generator {
  return new OnThreads(keep, gen)
}

class OnThreads implements Generator {
  constructor(
    private readonly keep: (t: Thread) => boolean,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    const step = op(this.gen, restrict(ctx, this.keep))
    if (step === null) return null
    return [step[0], step[1] === this.gen ? this : new OnThreads(this.keep, step[1])]
  }
  update(ctx: Context, event: Event): Gen {
    if (!this.keep(processToThread(ctx, event.process))) return this
    return new OnThreads(this.keep, update(this.gen, restrict(ctx, this.keep), event))
  }
}

const isClient = (t: Thread): boolean => t !== 'nemesis'
const isNemesis = (t: Thread): boolean => t === 'nemesis'

/** `gen` runs on client threads only; with a second generator, that one runs on the nemesis. */
export function clients(gen: Gen, nemesisGen?: Gen): Generator {
  const c = onThreads(isClient, gen)
  return nemesisGen === undefined ? c : any(c, onThreads(isNemesis, nemesisGen))
}

/** `gen` runs on the nemesis thread only; with a second generator, that one runs on the clients. */
export function nemesis(gen: Gen, clientGen?: Gen): Generator {
  const n = onThreads(isNemesis, gen)
  return clientGen === undefined ? n : any(n, onThreads(isClient, clientGen))
}

/** Waits until every thread in the context is free, then behaves as `gen`. */
export function synchronize(gen: Gen): Generator {
  return new Synchronize(gen)
}

class Synchronize implements Generator {
  constructor(private readonly gen: Gen) {}
  op(ctx: Context): Step {
    return allFree(ctx) ? op(this.gen, ctx) : [PENDING, this]
  }
  update(ctx: Context, event: Event): Gen {
    return new Synchronize(update(this.gen, ctx, event))
  }
}

/** Each generator runs to exhaustion and every thread goes idle before the next one starts. */
export function phases(...gens: Gen[]): Gen[] {
  return gens.map(synchronize)
}

/**
 * Jepsen's `then`: `a`, then (once every thread is idle) `b`. Named `andThen` because a module
 * that exports `then` is a thenable, and `await import()` of it never settles. Jepsen takes the
 * two the other way round (for ->> threading); here the reading order is the running order.
 */
export function andThen(a: Gen, b: Gen): Gen[] {
  return [a, synchronize(b)]
}

/**
 * Every thread gets its own copy of `gen`, which sees only that thread and its events. Ends when
 * every thread's copy is exhausted.
 */
export function eachThread(gen: Gen): Generator {
  return new EachThread(gen, new Map())
}

const only = (ctx: Context, t: Thread): Context => ({ ...ctx, threads: [t], free: [t] })

class EachThread implements Generator {
  constructor(
    private readonly fresh: Gen,
    private readonly gens: ReadonlyMap<Thread, Gen>,
  ) {}
  private genOf(t: Thread): Gen {
    return this.gens.has(t) ? this.gens.get(t) : this.fresh
  }
  op(ctx: Context): Step {
    const steps = ctx.free.map((t) => op(this.genOf(t), only(ctx, t)))
    const i = soonest(
      steps.map((s) => (s === null ? null : { op: s[0], weight: 1 })),
      ctx.rng,
    )
    if (i === -1) return allFree(ctx) ? null : [PENDING, this]
    const [o, next] = steps[i] as NonNullable<Step>
    if (o === PENDING) return [PENDING, this]
    return [o, new EachThread(this.fresh, new Map(this.gens).set(ctx.free[i], next))]
  }
  update(ctx: Context, event: Event): Gen {
    const t = processToThread(ctx, event.process)
    const ctx1 = { ...ctx, threads: [t], free: ctx.free.includes(t) ? [t] : [] }
    return new EachThread(this.fresh, new Map(this.gens).set(t, update(this.genOf(t), ctx1, event)))
  }
}

/**
 * `reserve([5, writes], [10, cas], reads)`: the first 5 client threads of the context run
 * `writes`, the next 10 run `cas`, and the remaining threads (the nemesis too, if the context
 * has it) run the default generator. Each generator sees only its own threads and their events.
 */
export function reserve(...args: [...(readonly [number, Gen])[], Gen]): Generator {
  const ranges = args.slice(0, -1) as (readonly [number, Gen])[]
  for (const [n] of ranges)
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`reserve: thread counts must be integers >= 1, got ${n}`)
  return new Reserve(
    ranges.map(([n]) => n),
    [...ranges.map(([, g]) => g), args[args.length - 1] as Gen],
  )
}

class Reserve implements Generator {
  constructor(
    private readonly counts: readonly number[],
    /** One generator per range, then the default. */
    private readonly gens: readonly Gen[],
  ) {}

  /** Which generator (index into gens) each thread of the context belongs to. */
  private assign(ctx: Context): Map<Thread, number> {
    const clients = clientThreads(ctx)
    const need = this.counts.reduce((a, b) => a + b, 0)
    if (need > clients.length)
      throw new Error(
        `reserve: ranges need ${need} client threads (${this.counts.join(' + ')}) but the context has ${clients.length} (concurrency ${ctx.concurrency})`,
      )
    const group = new Map<Thread, number>()
    let pos = 0
    this.counts.forEach((n, i) => {
      for (const end = pos + n; pos < end; pos++) group.set(clients[pos], i)
    })
    for (const t of ctx.threads) if (!group.has(t)) group.set(t, this.counts.length)
    return group
  }

  op(ctx: Context): Step {
    const group = this.assign(ctx)
    const steps = this.gens.map((g, i) => {
      const sub = restrict(ctx, (t) => group.get(t) === i)
      const step = op(g, sub)
      return step === null ? null : { step, weight: sub.threads.length }
    })
    const i = soonest(
      steps.map((s) => (s === null ? null : { op: s.step[0], weight: s.weight })),
      ctx.rng,
    )
    if (i === -1) return null
    const [o, next] = (steps[i] as NonNullable<(typeof steps)[number]>).step
    if (o === PENDING) return [PENDING, this]
    const gens = this.gens.slice()
    gens[i] = next
    return [o, new Reserve(this.counts, gens)]
  }

  update(ctx: Context, event: Event): Gen {
    const group = this.assign(ctx)
    const i = group.get(processToThread(ctx, event.process))
    if (i === undefined) return this
    const gens = this.gens.slice()
    gens[i] = update(
      gens[i],
      restrict(ctx, (t) => group.get(t) === i),
      event,
    )
    return new Reserve(this.counts, gens)
  }
}
