// Runs a generator against perfect in-process workers in virtual time: every op completes after
// `latency` seconds with whatever `complete` says (ok by default). Deterministic for a seed, and
// instant, so generator semantics can be tested and previewed without real clients or clocks.
import type { Op, OpType } from '../history/op.ts'
import type { Context } from './context.ts'
import type { Event, Gen, GenOp } from './core.ts'
import { PENDING } from './core.ts'
import { Rng } from './random.ts'
import { Scheduler } from './scheduler.ts'

export interface SimulateOptions {
  concurrency: number
  seed?: number
  /** Seconds each client and nemesis op takes (default 0.001). */
  latency?: number
  /** The completion of an op (default: ok with the op's value). */
  complete?: (op: Op, ctx: Context) => { type: Exclude<OpType, 'invoke'>; value?: unknown }
  /** Stop asking for ops after this many invocations (default 10,000). */
  maxOps?: number
}

export interface Simulation {
  history: Op[]
  logs: string[]
}

export function simulate(gen: Gen, opts: SimulateOptions): Simulation {
  const s = new Scheduler(gen, opts.concurrency, new Rng(opts.seed ?? 0))
  const latency = Math.round((opts.latency ?? 0.001) * 1e9)
  const maxOps = opts.maxOps ?? 10_000
  const history: Op[] = []
  const logs: string[] = []
  const inflight: { time: number; event: Event }[] = []
  let now = 0
  let invokes = 0

  const schedule = (time: number, event: Event) => {
    let i = inflight.length
    while (i > 0 && inflight[i - 1].time > time) i--
    inflight.splice(i, 0, { time, event })
  }
  const completeNext = () => {
    const { time, event } = inflight.shift()!
    now = Math.max(now, time)
    const done = { ...event, time: now }
    if (done.type !== 'sleep' && done.type !== 'log') history.push({ ...(done as Op), index: history.length })
    s.completed(done)
  }
  const dispatch = (step: readonly [GenOp, Gen]) => {
    const o = step[0]
    const base = {
      index: -1,
      time: now,
      process: o.process,
      f: o.f,
      ...(o.key === undefined ? {} : { key: o.key }),
    }
    if (o.type === 'sleep' || o.type === 'log') {
      const event: Event = { ...base, type: o.type, value: o.value }
      s.invoked(step, event)
      if (o.type === 'log') logs.push(String(o.value))
      schedule(o.type === 'sleep' ? now + Math.round(Number(o.value) * 1e9) : now, event)
      return
    }
    const invoke: Op = { ...base, index: history.length, type: o.type, value: o.value }
    history.push(invoke)
    invokes++
    s.invoked(step, invoke)
    const result =
      o.process === 'nemesis' || !opts.complete ? undefined : opts.complete(invoke, s.context(now))
    const type = o.process === 'nemesis' ? 'info' : (result?.type ?? 'ok')
    schedule(now + latency, {
      ...invoke,
      type,
      value: result && 'value' in result ? result.value : invoke.value,
    })
  }

  for (;;) {
    while (inflight.length > 0 && inflight[0].time <= now) completeNext()
    const step = invokes >= maxOps ? null : s.next(now)
    if (step === null || step[0] === PENDING) {
      if (inflight.length > 0) {
        completeNext()
        continue
      }
      if (step === null) return { history, logs }
      throw new Error(
        `simulate: generator is pending at t=${now} ns with every thread idle, so it can never proceed`,
      )
    }
    const o = step[0]
    if (o.time > now) {
      if (inflight.length > 0 && inflight[0].time <= o.time) completeNext()
      else now = o.time
      continue
    }
    dispatch(step as readonly [GenOp, Gen])
  }
}
