// Combinators that shape which ops a generator emits and how many (Jepsen semantics):
// limit, once, repeat, cycle, mix, any, flipFlop, untilOk, map, filter and log.
import type { Context } from './context.ts'
import type { Event, Gen, Generator, GenOp, OpMap, Step } from './core.ts'
import { op, PENDING, update } from './core.ts'
import { soonest } from './soonest.ts'

/** At most `n` ops from `gen`. Updates pass through. */
export function limit(n: number, gen: Gen): Generator {
  if (!Number.isInteger(n) || n < 0) throw new Error(`limit: n must be an integer >= 0, got ${n}`)
  return new Limit(n, gen)
}

class Limit implements Generator {
  constructor(
    private readonly remaining: number,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    if (this.remaining <= 0) return null
    const step = op(this.gen, ctx)
    if (step === null) return null
    return [step[0], new Limit(step[0] === PENDING ? this.remaining : this.remaining - 1, step[1])]
  }
  update(ctx: Context, event: Event): Gen {
    return new Limit(this.remaining, update(this.gen, ctx, event))
  }
}

/** Only the first op of `gen`. */
export function once(gen: Gen): Generator {
  return new Limit(1, gen)
}

/**
 * Asks the same (unchanged) generator again and again: forever, or `n` times. A one-shot op map
 * becomes an endless stream of that op; a function is called afresh each time.
 */
export function repeat(gen: Gen): Generator
export function repeat(n: number, gen: Gen): Generator
export function repeat(a: number | Gen, b?: Gen): Generator {
  if (typeof a !== 'number') return new Repeat(-1, a)
  if (!Number.isInteger(a) || a < 0) throw new Error(`repeat: n must be an integer >= 0, got ${a}`)
  return new Repeat(a, b)
}

class Repeat implements Generator {
  constructor(
    private readonly remaining: number,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    if (this.remaining === 0) return null
    const step = op(this.gen, ctx)
    if (step === null) return null
    if (step[0] === PENDING) return [PENDING, this]
    return [step[0], new Repeat(Math.max(-1, this.remaining - 1), this.gen)]
  }
  update(ctx: Context, event: Event): Gen {
    return new Repeat(this.remaining, update(this.gen, ctx, event))
  }
}

/** Runs a finite generator, and when it is exhausted starts it again from the start (forever, or `n` times). */
export function cycle(gen: Gen): Generator
export function cycle(n: number, gen: Gen): Generator
export function cycle(a: number | Gen, b?: Gen): Generator {
  if (typeof a !== 'number') return new Cycle(-1, a, a)
  if (!Number.isInteger(a) || a < 0) throw new Error(`cycle: n must be an integer >= 0, got ${a}`)
  return new Cycle(a, b, b)
}

class Cycle implements Generator {
  constructor(
    private readonly remaining: number,
    private readonly original: Gen,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    if (this.remaining === 0) return null
    const step = op(this.gen, ctx)
    if (step !== null) return [step[0], new Cycle(this.remaining, this.original, step[1])]
    if (this.remaining === 1) return null
    // Start over; a generator that is empty even when fresh ends the cycle instead of spinning.
    const fresh = op(this.original, ctx)
    if (fresh === null) return null
    return [fresh[0], new Cycle(Math.max(-1, this.remaining - 1), this.original, fresh[1])]
  }
  update(ctx: Context, event: Event): Gen {
    return new Cycle(this.remaining, this.original, update(this.gen, ctx, event))
  }
}

/**
 * A random mixture: each op comes from a generator chosen uniformly (with the context RNG);
 * exhausted generators drop out. Like Jepsen's mix, it ignores updates.
 */
export function mix(gens: readonly Gen[]): Generator {
  return new Mix(gens)
}

class Mix implements Generator {
  constructor(private readonly gens: readonly Gen[]) {}
  op(ctx: Context): Step {
    let gens = this.gens
    while (gens.length > 0) {
      const i = gens.length === 1 ? 0 : ctx.rng.int(gens.length)
      const step = op(gens[i], ctx)
      if (step === null) {
        gens = gens.filter((_, j) => j !== i)
        continue
      }
      if (step[0] === PENDING) return [PENDING, this]
      const next = gens.slice()
      next[i] = step[1]
      return [step[0], new Mix(next)]
    }
    return null
  }
  update(): Gen {
    return this
  }
}

/** Ops from whichever generator has the soonest one; updates go to all of them. */
export function any(...gens: Gen[]): Generator {
  return new Any(gens)
}

class Any implements Generator {
  constructor(private readonly gens: readonly Gen[]) {}
  op(ctx: Context): Step {
    const steps = this.gens.map((g) => op(g, ctx))
    const i = soonest(
      steps.map((s) => (s === null ? null : { op: s[0], weight: 1 })),
      ctx.rng,
    )
    if (i === -1) return null
    const step = steps[i] as NonNullable<Step>
    if (step[0] === PENDING) return [PENDING, this]
    const next = this.gens.slice()
    next[i] = step[1]
    return [step[0], new Any(next)]
  }
  update(ctx: Context, event: Event): Gen {
    return new Any(this.gens.map((g) => update(g, ctx, event)))
  }
}

/** One op from `a`, then one from `b`, then `a` again...; ends when either is exhausted. Ignores updates. */
export function flipFlop(a: Gen, b: Gen): Generator {
  return new FlipFlop([a, b], 0)
}

class FlipFlop implements Generator {
  constructor(
    private readonly gens: readonly Gen[],
    private readonly i: number,
  ) {}
  op(ctx: Context): Step {
    const step = op(this.gens[this.i], ctx)
    if (step === null) return null
    if (step[0] === PENDING) return [PENDING, this]
    const next = this.gens.slice()
    next[this.i] = step[1]
    return [step[0], new FlipFlop(next, (this.i + 1) % next.length)]
  }
  update(): Gen {
    return this
  }
}

/**
 * Ops from `gen` until one of them completes ok (Jepsen's until-ok); fail and info completions
 * let it keep going. Ops already in flight when the ok arrives still complete.
 */
export function untilOk(gen: Gen): Generator {
  return new UntilOk(gen, false, new Set())
}

class UntilOk implements Generator {
  constructor(
    private readonly gen: Gen,
    private readonly done: boolean,
    private readonly active: ReadonlySet<GenOp['process']>,
  ) {}
  op(ctx: Context): Step {
    if (this.done) return null
    const step = op(this.gen, ctx)
    if (step === null) return null
    if (step[0] === PENDING) return [PENDING, new UntilOk(step[1], false, this.active)]
    return [step[0], new UntilOk(step[1], false, new Set(this.active).add(step[0].process))]
  }
  update(ctx: Context, event: Event): Gen {
    const gen = update(this.gen, ctx, event)
    const p = event.process
    if (!this.active.has(p) || event.type === 'invoke') return new UntilOk(gen, this.done, this.active)
    const active = new Set(this.active)
    active.delete(p)
    return new UntilOk(gen, this.done || event.type === 'ok', active)
  }
}

/** Transforms each op `gen` emits. */
export function map(f: (op: GenOp) => GenOp, gen: Gen): Generator {
  return new MapGen(f, gen)
}

class MapGen implements Generator {
  constructor(
    private readonly f: (op: GenOp) => GenOp,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    const step = op(this.gen, ctx)
    if (step === null) return null
    return [step[0] === PENDING ? PENDING : this.f(step[0]), new MapGen(this.f, step[1])]
  }
  update(ctx: Context, event: Event): Gen {
    return new MapGen(this.f, update(this.gen, ctx, event))
  }
}

/** Only the ops of `gen` that satisfy `keep`. */
export function filter(keep: (op: GenOp) => boolean, gen: Gen): Generator {
  return new Filter(keep, gen)
}

class Filter implements Generator {
  constructor(
    private readonly keep: (op: GenOp) => boolean,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    let gen = this.gen
    for (;;) {
      const step = op(gen, ctx)
      if (step === null) return null
      if (step[0] === PENDING || this.keep(step[0])) return [step[0], new Filter(this.keep, step[1])]
      gen = step[1]
    }
  }
  update(ctx: Context, event: Event): Gen {
    return new Filter(this.keep, update(this.gen, ctx, event))
  }
}

/** A one-shot op that makes its worker log `message` (not recorded in the history). */
export function log(message: string): OpMap {
  return { type: 'log', f: 'log', value: message }
}
