// The runner (Jepsen's interpreter): drives `concurrency` client threads and one nemesis thread
// with ops from a generator (lib/generator), and records every invocation and completion into
// one history (DESIGN §3), streamed to `historyPath` as it happens and returned in memory.
// - Client thread t starts as process t; an info completion (or a thrown error, or a missed
//   deadline) retires the process: the thread goes on as process + concurrency with a new client.
// - Every invocation gets exactly one completion. Ops still in flight when the run stops are
//   awaited until a drain deadline, then recorded as info with an error that says why.
// - The run stops when the generator is exhausted, when `timeLimitMs` has passed, or when
//   `signal` aborts (Ctrl-C, test timeout); in every case the history is complete and flushed.
// - A history file that cannot be written (a full disk) stops the run at once: in-flight ops
//   are drained, the nemesis tears down (heals), and runTest rejects with the HistoryWriteError
//   (file, ops written); the file keeps a clean prefix and no verdict is due on it.
// - Monitors report harness events (a client server restarted) as nemesis info ops.

import type { Thread } from '../generator/context.ts'
import type { Gen, GenOp } from '../generator/core.ts'
import { PENDING } from '../generator/core.ts'
import { Rng } from '../generator/random.ts'
import { Scheduler } from '../generator/scheduler.ts'
import type { Op, OpType, Process } from '../history/op.ts'
import { HistoryWriter } from '../history/writer.ts'
import type { ClientFactory, Completion, Monitor, Nemesis } from './client.ts'
import { errorMessage, noopNemesis } from './client.ts'
import { startClock } from './clock.ts'
import type { Counts, Progress } from './progress.ts'
import { ProgressMeter } from './progress.ts'
import { ClientWorker } from './worker.ts'

export interface RunOptions {
  generator: Gen
  clientFactory: ClientFactory
  nemesis?: Nemesis
  concurrency: number
  /** Generation stops this long after the start (ms). */
  timeLimitMs?: number
  /** Seeds the generator RNG (record it in test.json to replay a run). */
  seed: number
  /** JSONL history file, appended to as ops happen. */
  historyPath?: string
  signal?: AbortSignal
  onProgress?: (p: Progress) => void
  progressIntervalMs?: number
  /** A client op not answered within this many ms completes as info (its process retires). */
  opTimeoutMs?: number
  /** How long ops still in flight at the end are awaited before they are recorded as info (ms). */
  drainTimeoutMs?: number
  /** Node names; client thread t talks to nodes[t % nodes.length]. */
  nodes?: readonly string[]
  /** Where generator `log` ops go (default console.log). */
  log?: (message: string) => void
  /** Harness events to record while the run goes on (lib/runner/client.ts Monitor). */
  monitors?: readonly Monitor[]
}

export type StopReason = 'exhausted' | 'time-limit' | 'aborted'

export interface RunResult {
  history: Op[]
  seed: number
  stop: StopReason
  durationMs: number
  counts: Counts
  /** Problems outside the history: failed client closes, nemesis teardown errors. */
  errors: string[]
}

/** Longest grace (capped by drainTimeoutMs) for clients to answer an abort before their ops become info. */
const ABORT_GRACE_MS = 1000
/** How often a generator that answered "pending" is asked again when no op is in flight. */
const PENDING_POLL_MS = 1

interface InFlight {
  thread: Thread
  /** The recorded invocation; undefined for sleep and log ops, which are not in the history. */
  invoke?: Op
  event: GenOp
  /** The op's deadline, or a sleep's end. */
  timer?: NodeJS.Timeout
}

export async function runTest(opts: RunOptions): Promise<RunResult> {
  const { concurrency, seed } = opts
  const nemesis = opts.nemesis ?? noopNemesis
  const log = opts.log ?? ((m: string) => console.log(m))
  const sched = new Scheduler(opts.generator, concurrency, new Rng(seed))
  // Restarted once the nemesis is set up and the clients are open: time 0 is the first op's chance.
  let clock = startClock()
  const history: Op[] = []
  const counts: Counts = { invokes: 0, ok: 0, fail: 0, info: 0 }
  const errors: string[] = []
  const inflight = new Map<Thread, InFlight>()
  const nodes = opts.nodes ?? []
  const workers = Array.from(
    { length: concurrency },
    (_, t) =>
      new ClientWorker(opts.clientFactory, nodes.length ? nodes[t % nodes.length] : undefined, errors),
  )
  let writer: HistoryWriter | undefined

  const record = (
    type: OpType,
    process: Process,
    o: Pick<Op, 'f' | 'key' | 'value' | 'error' | 'node' | 'ts'>,
  ): Op => {
    const op: Op = { index: history.length, time: clock(), type, process, f: o.f }
    if (o.key !== undefined) op.key = o.key
    if (o.value !== undefined) op.value = o.value
    if (o.error !== undefined) op.error = o.error
    if (o.node !== undefined) op.node = o.node
    if (o.ts !== undefined) op.ts = o.ts
    history.push(op)
    writer?.write(op)
    return op
  }

  // Wakes the main loop when something happens (a completion, the time limit, an abort).
  let wakeUp: (() => void) | undefined
  const wake = () => {
    const f = wakeUp
    wakeUp = undefined
    f?.()
  }
  // Timers have 1 ms granularity: shorter waits (fast staggers) go round the event loop instead.
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms === Number.POSITIVE_INFINITY) wakeUp = resolve
      else if (ms < 1) {
        const immediate = setImmediate(wake)
        wakeUp = () => {
          clearImmediate(immediate)
          resolve()
        }
      } else {
        const timer = setTimeout(wake, ms)
        wakeUp = () => {
          clearTimeout(timer)
          resolve()
        }
      }
    })

  /** Completes an in-flight op, once: later answers for the same op are ignored. */
  const finish = (f: InFlight, c: Completion) => {
    if (inflight.get(f.thread) !== f) return
    inflight.delete(f.thread)
    clearTimeout(f.timer)
    if (!f.invoke) {
      sched.completed({
        index: -1,
        time: clock(),
        type: f.event.type,
        process: f.event.process,
        f: f.event.f,
      })
    } else {
      const inv = f.invoke
      const type = inv.process === 'nemesis' ? 'info' : c.type
      const done = record(type, inv.process, {
        f: inv.f,
        key: inv.key,
        value: c.value !== undefined ? c.value : inv.value,
        error: c.error,
        node: c.node,
        ts: c.ts,
      })
      if (typeof inv.process === 'number') {
        counts[type]++
        if (type === 'info') workers[f.thread as number].retire()
      }
      sched.completed(done)
    }
    wake()
  }

  const dispatch = (step: readonly [GenOp, Gen]) => {
    const o = step[0]
    const t = sched.check(o)
    const f: InFlight = { thread: t, event: o }
    if (o.type === 'sleep' || o.type === 'log') {
      sched.invoked(step, {
        index: -1,
        time: clock(),
        type: o.type,
        process: o.process,
        f: o.f,
        value: o.value,
      })
      inflight.set(t, f)
      if (o.type === 'log') {
        log(String(o.value))
        finish(f, { type: 'ok' })
      } else f.timer = setTimeout(() => finish(f, { type: 'ok' }), Number(o.value) * 1000)
      return
    }
    // Nemesis ops may be logged as info (Jepsen style); client ops are always invocations.
    const inv = record(o.process === 'nemesis' && o.type === 'info' ? 'info' : 'invoke', o.process, o)
    if (typeof o.process === 'number') counts.invokes++
    f.invoke = inv
    sched.invoked(step, inv)
    inflight.set(t, f)
    if (o.process === 'nemesis') {
      Promise.resolve()
        .then(() => nemesis.invoke(inv))
        .then(
          (c) => finish(f, { type: 'info', ...c }),
          (e) => finish(f, { type: 'info', error: `nemesis threw: ${errorMessage(e)}` }),
        )
      return
    }
    if (opts.opTimeoutMs !== undefined) {
      const ms = opts.opTimeoutMs
      f.timer = setTimeout(() => {
        workers[t as number].abort(new Error(`op timed out after ${ms} ms`))
        finish(f, { type: 'info', error: `no answer within opTimeoutMs=${ms} ms; outcome unknown` })
      }, ms)
    }
    workers[t as number].invoke(inv).then((c) => finish(f, c))
  }

  const onAbort = () => wake()
  opts.signal?.addEventListener('abort', onAbort)
  const deadline = opts.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : opts.timeLimitMs * 1e6
  let deadlineTimer: NodeJS.Timeout | undefined
  const meter =
    opts.onProgress &&
    new ProgressMeter(
      () => ({
        elapsedMs: clock() / 1e6,
        ...counts,
        inFlight: inflight.size,
        faults: nemesis.faults?.() ?? '',
      }),
      opts.onProgress,
      opts.progressIntervalMs ?? 1000,
    )

  let stop: StopReason = 'exhausted'
  let failure: Error | undefined
  let writeFailure: Error | undefined
  const monitors = opts.monitors ?? []
  try {
    writer =
      opts.historyPath === undefined
        ? undefined
        : new HistoryWriter(opts.historyPath, {
            onError: (e) => {
              writeFailure = e
              wake()
            },
          })
    await nemesis.setup?.()
    await Promise.all(workers.map((w, t) => w.open(t)))
    clock = startClock()
    for (const m of monitors) m.start((e) => record('info', 'nemesis', e))
    if (opts.timeLimitMs !== undefined) deadlineTimer = setTimeout(wake, opts.timeLimitMs)
    for (;;) {
      if (writeFailure) throw writeFailure
      if (opts.signal?.aborted) {
        stop = 'aborted'
        break
      }
      const now = clock()
      if (now >= deadline) {
        stop = 'time-limit'
        break
      }
      const step = sched.next(now)
      if (step === null) {
        if (inflight.size === 0) break
        await wait(Number.POSITIVE_INFINITY)
      } else if (step[0] === PENDING) {
        // Generators wait on events (a free thread, a completion); with none to come, poll.
        await wait(inflight.size > 0 ? Number.POSITIVE_INFINITY : PENDING_POLL_MS)
      } else if (step[0].time > now) {
        await wait((step[0].time - now) / 1e6)
      } else {
        dispatch(step as readonly [GenOp, Gen])
      }
    }
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e))
  }

  // Drain: await what is still in flight, up to a deadline, then record the rest as info.
  const aborted = stop === 'aborted'
  const why = failure
    ? `the run failed (${failure.message})`
    : aborted
      ? `the run was aborted (${errorMessage(opts.signal?.reason ?? 'abort')})`
      : stop === 'time-limit'
        ? 'the time limit ended the run'
        : 'the generator was exhausted'
  const abort = (f: InFlight) => typeof f.thread === 'number' && workers[f.thread].abort(new Error(why))
  if (aborted || failure) for (const f of inflight.values()) abort(f)
  for (const f of [...inflight.values()]) if (!f.invoke) finish(f, { type: 'ok' })
  const drainTimeoutMs = opts.drainTimeoutMs ?? opts.opTimeoutMs ?? 10_000
  const drainMs = aborted || failure ? Math.min(ABORT_GRACE_MS, drainTimeoutMs) : drainTimeoutMs
  const drainEnd = clock() + drainMs * 1e6
  while (inflight.size > 0 && clock() < drainEnd) await wait((drainEnd - clock()) / 1e6)
  for (const f of [...inflight.values()]) {
    abort(f)
    finish(f, { type: 'info', error: `still in flight ${drainMs} ms after ${why}; outcome unknown` })
  }

  clearTimeout(deadlineTimer)
  opts.signal?.removeEventListener('abort', onAbort)
  for (const m of monitors) m.stop()
  await Promise.all(workers.map((w) => w.close()))
  try {
    await nemesis.teardown?.()
  } catch (e) {
    errors.push(`nemesis teardown failed: ${errorMessage(e)}`)
  }
  writer?.close()
  meter?.stop()
  failure ??= writeFailure // a write that failed while draining
  if (failure) throw failure
  return { history, seed, stop, durationMs: clock() / 1e6, counts, errors }
}
