// What a generator sees when asked for an op (Jepsen's generator context): the time, the worker
// threads it may use and which of them are free, the thread -> process mapping, and the seeded
// RNG. Client threads are 0..concurrency-1 and the nemesis thread is "nemesis"; client thread t
// runs process t, then t + concurrency after an info retires it, and so on.
// Generators must not keep a context: the runner reuses its parts between calls.
import type { Process } from '../history/op.ts'
import type { Rng } from './random.ts'

export type Thread = number | 'nemesis'

export interface Context {
  /** Nanoseconds since the test started (monotonic). */
  time: number
  /** Threads this generator may use (a combinator such as `clients` narrows them), in order. */
  threads: readonly Thread[]
  /** The free subset of `threads`, in order. */
  free: readonly Thread[]
  /** Current process of every thread in the test. */
  workers: ReadonlyMap<Thread, Process>
  /** Number of client threads in the whole test. */
  concurrency: number
  rng: Rng
}

export function processToThread(ctx: Context, process: Process): Thread {
  return process === 'nemesis' ? 'nemesis' : process % ctx.concurrency
}

/** The context narrowed to the threads `keep` accepts (Jepsen's on-threads context filter). */
export function restrict(ctx: Context, keep: (t: Thread) => boolean): Context {
  // The thread list rarely changes, so each filter remembers its last answer.
  let memo = restricted.get(keep)
  if (memo?.from !== ctx.threads) {
    memo = { from: ctx.threads, to: ctx.threads.filter(keep) }
    restricted.set(keep, memo)
  }
  return { ...ctx, threads: memo.to, free: ctx.free.filter(keep) }
}

const restricted = new WeakMap<(t: Thread) => boolean, { from: readonly Thread[]; to: readonly Thread[] }>()

export function allFree(ctx: Context): boolean {
  return ctx.free.length === ctx.threads.length
}

/** A uniformly chosen free thread's process, or undefined when every thread is busy. */
export function someFreeProcess(ctx: Context): Process | undefined {
  const n = ctx.free.length
  if (n === 0) return undefined
  const t = n === 1 ? ctx.free[0] : ctx.free[ctx.rng.int(n)]
  return ctx.workers.get(t)
}

/** The client threads of a context (integers), in order. */
export function clientThreads(ctx: Context): number[] {
  return ctx.threads.filter((t): t is number => t !== 'nemesis')
}
