// The generator protocol (Jepsen's jepsen.generator, reimplemented): a generator is a pure value
// with `op(ctx)` -> null (exhausted) | [PENDING, gen] (nothing yet; ask again after an event or
// a little later) | [op, gen'] (the next op and the state after it), and `update(ctx, event)` ->
// gen' (react to an invocation or completion). Plain values are generators too:
// - null / undefined: exhausted;
// - an op map `{f, value?, key?, type?, process?, time?}`: one op, filled in with a free
//   thread's process, the context time and type "invoke" (PENDING when no thread is free);
// - an array: each element's ops in turn (updates go to the current element);
// - a function `(ctx) => gen`: called for a generator, which is used until exhausted, then the
//   function is called again (so `() => ({f: 'write', value: rnd()})` is an endless stream).
//   Like in Jepsen, it may be called more often than its ops are used (an answer that cannot run
//   yet is dropped and asked for again), so counters in closures skip values: use
//   `sequence(i => ...)` for unique values.
// Ops with type "sleep" (value: seconds) and "log" (value: message) are done by the worker
// that receives them and never enter the history.
import type { Op, OpType, Process } from '../history/op.ts'
import type { Context } from './context.ts'
import { someFreeProcess } from './context.ts'

export type GenOpType = 'invoke' | 'info' | 'sleep' | 'log'

/** An op as a generator emits it; the runner adds index and records it. */
export interface GenOp<V = unknown> {
  type: GenOpType
  process: Process
  /** When the op should happen, ns since test start; the runner waits until then. */
  time: number
  f: string
  key?: string
  value?: V
  node?: string
}

/** An op map used as a one-shot generator. */
export interface OpMap<V = unknown> {
  f: string
  type?: GenOpType
  process?: Process
  time?: number
  key?: string
  value?: V
}

/** What `update` receives: a history op, or a sleep/log op being started or finished. */
export interface Event extends Omit<Op, 'type'> {
  type: OpType | 'sleep' | 'log'
}

export const PENDING = 'pending'
export type Pending = typeof PENDING

export interface Generator {
  op(ctx: Context): Step
  update(ctx: Context, event: Event): Gen
}

export type GenFn = (ctx: Context) => Gen
export type Gen = Generator | OpMap | GenFn | readonly Gen[] | null | undefined
export type Step = readonly [GenOp | Pending, Gen] | null

export function isGenerator(g: unknown): g is Generator {
  return typeof g === 'object' && g !== null && typeof (g as Generator).op === 'function'
}

/** Asks any generator value for its next op. */
export function op(gen: Gen, ctx: Context): Step {
  if (gen == null) return null
  if (typeof gen === 'function') return fnOp(gen, ctx)
  if (Array.isArray(gen)) return gen.length === 0 ? null : new Seq(gen, 0, gen[0]).op(ctx)
  if (isGenerator(gen)) return gen.op(ctx)
  const o = fillIn(gen as OpMap, ctx)
  return [o, o === PENDING ? gen : null]
}

/** Tells any generator value about an event. */
export function update(gen: Gen, ctx: Context, event: Event): Gen {
  if (gen == null || typeof gen === 'function') return gen
  if (Array.isArray(gen)) return gen.length === 0 ? null : new Seq(gen, 0, update(gen[0], ctx, event))
  if (isGenerator(gen)) return gen.update(ctx, event)
  return gen
}

/** Fills in type, process and time of an op map from the context (Jepsen's fill-in-op). */
export function fillIn(m: OpMap, ctx: Context): GenOp | Pending {
  const p = someFreeProcess(ctx)
  if (p === undefined) return PENDING
  const o: GenOp = { type: m.type ?? 'invoke', process: m.process ?? p, time: m.time ?? ctx.time, f: m.f }
  if (m.key !== undefined) o.key = m.key
  if (m.value !== undefined) o.value = m.value
  return o
}

function fnOp(f: GenFn, ctx: Context): Step {
  const step = op(f(ctx), ctx)
  // A function whose fresh generator is already empty counts as exhausted (instead of looping).
  if (step === null) return null
  const [o, next] = step
  return [o, next == null ? f : new Seq([next, f], 0, next)]
}

/** An array generator part-way through: `head` is the current state of items[i]. */
class Seq implements Generator {
  constructor(
    private readonly items: readonly Gen[],
    private readonly i: number,
    private readonly head: Gen,
  ) {}

  op(ctx: Context): Step {
    let head = this.head
    for (let i = this.i; i < this.items.length; head = this.items[++i]) {
      const step = op(head, ctx)
      if (step === null) continue
      const last = i === this.items.length - 1
      return [step[0], last ? step[1] : new Seq(this.items, i, step[1])]
    }
    return null
  }

  update(ctx: Context, event: Event): Gen {
    return new Seq(this.items, this.i, update(this.head, ctx, event))
  }
}

/**
 * The lazy sequence f(0), f(1), ... of generators (Jepsen's `(map f (range))`), ended by the
 * first null/undefined. Element i depends only on i, so asking again gives the same op.
 */
export function sequence(f: (i: number) => Gen): Generator {
  return new Indexed(f, 0, false, null)
}

class Indexed implements Generator {
  constructor(
    private readonly f: (i: number) => Gen,
    private readonly i: number,
    /** Whether `head` holds element i (else it is computed on demand). */
    private readonly started: boolean,
    private readonly head: Gen,
  ) {}

  op(ctx: Context): Step {
    let i = this.i
    let head = this.started ? this.head : this.f(i)
    if (!this.started && head == null) return null
    for (;;) {
      const step = op(head, ctx)
      if (step !== null) return [step[0], new Indexed(this.f, i, true, step[1])]
      head = this.f(++i)
      if (head == null) return null
    }
  }

  update(ctx: Context, event: Event): Gen {
    if (!this.started) return this
    return new Indexed(this.f, this.i, true, update(this.head, ctx, event))
  }
}
