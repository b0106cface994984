// The interpreter's bookkeeping around a generator, shared by the runner (real time) and the
// simulator (virtual time): which threads are free, each thread's current process (an info
// completion retires a client process: its thread continues as process + concurrency), the
// context handed to the generator, and feeding invocations and completions back as updates.
import type { Process } from '../history/op.ts'
import type { Context, Thread } from './context.ts'
import type { Event, Gen, GenOp, Step } from './core.ts'
import { op, update } from './core.ts'
import type { Rng } from './random.ts'

export class Scheduler {
  readonly threads: readonly Thread[]
  readonly workers = new Map<Thread, Process>()
  private readonly busy = new Set<Thread>()
  private free: Thread[]
  gen: Gen

  constructor(
    gen: Gen,
    readonly concurrency: number,
    readonly rng: Rng,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(`concurrency must be an integer >= 1, got ${concurrency}`)
    this.gen = gen
    this.threads = [...Array.from({ length: concurrency }, (_, i) => i), 'nemesis']
    for (const t of this.threads) this.workers.set(t, t)
    this.free = this.threads.slice()
  }

  context(time: number): Context {
    return {
      time,
      threads: this.threads,
      free: this.free,
      workers: this.workers,
      concurrency: this.concurrency,
      rng: this.rng,
    }
  }

  threadOf(process: Process): Thread {
    return process === 'nemesis' ? 'nemesis' : process % this.concurrency
  }

  /** Asks the generator for its next op at `time`. */
  next(time: number): Step {
    return op(this.gen, this.context(time))
  }

  /**
   * The thread of `o`, which must be free and running `o`'s process; otherwise the generator is
   * broken and the error says how.
   */
  check(o: GenOp): Thread {
    const t = this.threadOf(o.process)
    if (this.workers.get(t) !== o.process)
      throw new Error(
        `generator emitted ${o.f} for process ${o.process}, which is not the current process of any thread (thread ${t} runs ${this.workers.get(t)})`,
      )
    if (this.busy.has(t))
      throw new Error(`generator emitted ${o.f} for process ${o.process}, whose thread ${t} is busy`)
    return t
  }

  /**
   * Takes the op of `step` (from `next`, passed by `check`): the generator moves on to the
   * step's state, the op's thread becomes busy and the generator is told of `event`.
   */
  invoked(step: readonly [GenOp, Gen], event: Event): Thread {
    const t = this.check(step[0])
    this.setBusy(t, true)
    this.gen = update(step[1], this.context(event.time), event)
    return t
  }

  /** Frees the thread of `event`, tells the generator, and retires the process after an info. */
  completed(event: Event): void {
    const t = this.threadOf(event.process)
    this.setBusy(t, false)
    this.gen = update(this.gen, this.context(event.time), event)
    if (event.type === 'info' && typeof event.process === 'number')
      this.workers.set(t, event.process + this.concurrency)
  }

  /** Keeps `free` in thread order (the nemesis last) without rescanning every thread. */
  private setBusy(t: Thread, busy: boolean): void {
    const rank = (x: Thread) => (x === 'nemesis' ? this.concurrency : x)
    if (busy) {
      this.busy.add(t)
      this.free.splice(this.free.indexOf(t), 1)
    } else if (this.busy.delete(t)) {
      let i = this.free.length
      while (i > 0 && rank(this.free[i - 1]) > rank(t)) i--
      this.free.splice(i, 0, t)
    }
  }
}
