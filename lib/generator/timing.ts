// Combinators that schedule ops in time (Jepsen semantics; durations in seconds, times in ns):
// stagger (random gaps, one rate for the whole generator), delay (fixed gaps), sleep and
// timeLimit. An op whose time is in the future makes the runner wait until then.
import type { Context } from './context.ts'
import type { Event, Gen, Generator, OpMap, Step } from './core.ts'
import { op, PENDING, update } from './core.ts'

const NS_PER_S = 1e9

function seconds(name: string, dt: number): number {
  if (!Number.isFinite(dt) || dt < 0)
    throw new Error(`${name}: dt must be a number of seconds >= 0, got ${dt}`)
  return Math.round(dt * NS_PER_S)
}

/**
 * Schedules the ops of `gen` at random gaps drawn uniformly from [0, 2*dt) seconds: one
 * schedule for the whole generator (mean rate 1/dt ops/s across all threads), not per thread.
 */
export function stagger(dt: number, gen: Gen): Generator {
  return new Stagger(2 * seconds('stagger', dt), undefined, gen)
}

class Stagger implements Generator {
  constructor(
    private readonly span: number,
    private readonly nextTime: number | undefined,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    const step = op(this.gen, ctx)
    if (step === null) return null
    const [o, next] = step
    if (o === PENDING) return [PENDING, this]
    const due = this.nextTime ?? ctx.time
    const gap = Math.floor(ctx.rng.next() * this.span)
    if (due <= o.time) return [o, new Stagger(this.span, o.time + gap, next)]
    return [{ ...o, time: due }, new Stagger(this.span, due + gap, next)]
  }
  update(ctx: Context, event: Event): Gen {
    return new Stagger(this.span, this.nextTime, update(this.gen, ctx, event))
  }
}

/** Emits the ops of `gen` `dt` seconds apart (sooner when it has fallen behind). */
export function delay(dt: number, gen: Gen): Generator {
  return new Delay(seconds('delay', dt), undefined, gen)
}

class Delay implements Generator {
  constructor(
    private readonly dt: number,
    private readonly nextTime: number | undefined,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    const step = op(this.gen, ctx)
    if (step === null) return null
    const [o, next] = step
    if (o === PENDING) return [PENDING, this]
    const time = Math.max(o.time, this.nextTime ?? o.time)
    return [time === o.time ? o : { ...o, time }, new Delay(this.dt, time + this.dt, next)]
  }
  update(ctx: Context, event: Event): Gen {
    return new Delay(this.dt, this.nextTime, update(this.gen, ctx, event))
  }
}

/** A one-shot op that keeps the thread that receives it idle for `dt` seconds. */
export function sleep(dt: number): OpMap {
  seconds('sleep', dt)
  return { type: 'sleep', f: 'sleep', value: dt }
}

/** Ops of `gen` for `dt` seconds, counted from the first op it emits. */
export function timeLimit(dt: number, gen: Gen): Generator {
  return new TimeLimit(seconds('timeLimit', dt), undefined, gen)
}

class TimeLimit implements Generator {
  constructor(
    private readonly limit: number,
    private readonly cutoff: number | undefined,
    private readonly gen: Gen,
  ) {}
  op(ctx: Context): Step {
    const step = op(this.gen, ctx)
    if (step === null) return null
    const [o, next] = step
    if (o === PENDING) return [PENDING, this]
    const cutoff = this.cutoff ?? o.time + this.limit
    return o.time < cutoff ? [o, new TimeLimit(this.limit, cutoff, next)] : null
  }
  update(ctx: Context, event: Event): Gen {
    return new TimeLimit(this.limit, this.cutoff, update(this.gen, ctx, event))
  }
}
