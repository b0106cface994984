// Synthetic store runs for the report's browser test and benchmark: a register history of any
// size from a seeded generator (several client workers, partition and kill periods during which
// ops slow down, time out and fail), with test.json, results.json and node logs beside it.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Op } from '../history/op.ts'
import { Run, type RunResults, type TestRecord } from '../run-store/store.ts'

/** A small seeded PRNG (mulberry32), so fixtures are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface SyntheticOptions {
  /** History length in ops (invocations + completions + nemesis ops), approximately. */
  ops: number
  concurrency?: number
  seed?: number
  /** Number of fault periods, alternating partition and kill. */
  faults?: number
  /** Make one read, shortly before the first fault, return a value never written. */
  staleRead?: boolean
}

interface Call {
  process: number
  start: number
  end: number
  f: 'read' | 'write' | 'cas'
  arg: number | [number, number] | null
  /** What the network did: the op reached the register (ok), did not (fail) or timed out (info). */
  net: 'ok' | 'fail' | 'info'
  type?: 'ok' | 'fail' | 'info'
  result?: unknown
}

/**
 * A linearizable register history (each call takes effect at its midpoint; timed-out calls take
 * effect or not at random) of reads, writes and cas by `concurrency` workers, with fault periods
 * during which calls are slower and more of them fail or time out.
 */
export function syntheticHistory(o: SyntheticOptions): Op[] {
  const rnd = prng(o.seed ?? 1)
  const c = o.concurrency ?? 5
  const perWorker = Math.floor(o.ops / 2 / c)
  // Each worker issues its calls back to back, ~11 ms apart: a ~11 s test per 10k ops.
  const duration = Math.max(1e9, perWorker * 1.1e7)
  const nf = o.faults ?? 4
  const periods = Array.from({ length: nf }, (_, i) => {
    const start = ((i + 0.5) / (nf + 0.5)) * duration
    return { start, end: start + (0.45 / (nf + 0.5)) * duration, f: i % 2 ? 'kill' : 'partition' }
  })
  const inFault = (t: number) => periods.some((p) => t >= p.start && t <= p.end)
  const calls: Call[] = []
  for (let w = 0; w < c; w++) {
    let t = rnd() * 1e6
    let process = w
    for (let k = 0; k < perWorker; k++) {
      const fault = inFault(t)
      const r = rnd()
      const f = r < 0.5 ? 'read' : r < 0.8 ? 'write' : 'cas'
      const v = Math.floor(rnd() * 5)
      const arg: Call['arg'] = f === 'read' ? null : f === 'write' ? v : [v, Math.floor(rnd() * 5)]
      const x = rnd()
      const net = fault && x < 0.15 ? 'info' : x < (fault ? 0.3 : 0.02) ? 'fail' : 'ok'
      const end = Math.round(t + Math.exp(rnd() * 2) * (fault ? 3e6 : 4e5))
      calls.push({ process, start: Math.round(t), end, f, arg, net })
      if (net === 'info') process += c
      t = end + rnd() * 2e7
    }
  }
  // Apply the calls to one register in order of their midpoints.
  let reg: number | null = null
  for (const call of [...calls].sort((a, b) => a.start + a.end - b.start - b.end)) {
    const applies = call.net === 'ok' || (call.net === 'info' && rnd() < 0.5)
    call.type = call.net
    call.result = call.arg
    if (!applies) continue
    if (call.f === 'read') call.result = reg
    else if (call.f === 'write') reg = call.arg as number
    else if (reg === (call.arg as number[])[0]) reg = (call.arg as number[])[1]
    else if (call.net === 'ok') call.type = 'fail'
  }
  if (o.staleRead) {
    const before = (periods[0]?.start ?? duration) * 0.8
    const read = calls.filter((x) => x.f === 'read' && x.type === 'ok' && x.end < before).at(-1)
    if (read) read.result = 99
  }
  const events: Omit<Op, 'index'>[] = []
  for (const p of periods) {
    const [open, close] = p.f === 'kill' ? ['kill', 'start'] : ['start-partition', 'stop-partition']
    const value = p.f === 'kill' ? ['n2'] : { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] }
    events.push({ time: Math.round(p.start), type: 'info', process: 'nemesis', f: open, value })
    events.push({ time: Math.round(p.end), type: 'info', process: 'nemesis', f: close, value })
  }
  for (const x of calls) {
    events.push({ time: x.start, type: 'invoke', process: x.process, f: x.f, value: x.arg })
    const error = x.type === 'info' ? { error: 'timeout' } : x.type === 'fail' ? { error: 'unavailable' } : {}
    events.push({ time: x.end, type: x.type!, process: x.process, f: x.f, value: x.result, ...error })
  }
  // Stable sort by time; an invoke and its completion never share a time (latency > 0).
  events.sort((a, b) => a.time - b.time)
  return events.map((e, index) => ({ index, ...e }) as Op)
}

export interface SyntheticRun {
  run: Run
  history: Op[]
}

/** Writes a store run under `root` with the history, test.json, results.json and node logs. */
export function writeSyntheticRun(
  root: string,
  o: Partial<SyntheticOptions> & { name?: string; results?: RunResults; history?: Op[] },
): SyntheticRun {
  const name = o.name ?? 'register'
  const dir = join(root, name, '20250101T120000.000')
  mkdirSync(dir, { recursive: true })
  const run = new Run(dir)
  const history = o.history ?? syntheticHistory({ ops: 1000, ...o })
  writeFileSync(run.historyPath, history.map((op) => `${JSON.stringify(op)}\n`).join(''))
  const nodes = ['n1', 'n2', 'n3']
  const test: TestRecord = {
    name,
    workload: name,
    nemesis: ['partition', 'kill'],
    db: 'etcd',
    seed: o.seed ?? 1,
    startedAt: '2025-01-01T12:00:00.000Z',
    options: { concurrency: o.concurrency ?? 5, 'time-limit': 60, rate: 100, 'ops-per-key': 200 },
    nodes,
    versions: { etcd: '3.4.23', 'jepsen-tikv': '0.1.0' },
  }
  run.writeTest(test)
  run.writeResults(o.results ?? { valid: true, checkers: {} })
  run.log('synthetic run for report tests')
  for (const n of nodes) writeFileSync(join(run.nodeDir(n), 'etcd.log'), `${n}: started\n`)
  return { run, history }
}
