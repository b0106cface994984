// Synthetic store runs for the report's browser test and benchmark: a register history of any
// size from a seeded generator (several client workers, partition and kill periods during which
// ops slow down, time out and fail), with test.json, results.json and node logs beside it.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Op } from '../history/op.ts'
import { Run, type RunResults, type TestRecord } from '../store/store.ts'

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
}

/** A register history: reads, writes and cas by `concurrency` workers, with fault periods. */
export function syntheticHistory(o: SyntheticOptions): Op[] {
  const rnd = prng(o.seed ?? 1)
  const c = o.concurrency ?? 5
  const calls = Math.floor(o.ops / 2)
  // Each worker issues about calls/c ops back to back (~11 ms: a ~11 s test per 10k ops).
  const duration = Math.max(1e9, (calls / c) * 1.1e7)
  const nf = o.faults ?? 4
  const periods = Array.from({ length: nf }, (_, i) => {
    const start = ((i + 0.5) / (nf + 0.5)) * duration
    return { start, end: start + (0.45 / (nf + 0.5)) * duration, f: i % 2 ? 'kill' : 'partition' }
  })
  const events: Omit<Op, 'index'>[] = []
  for (const p of periods) {
    const [open, close] = p.f === 'kill' ? ['kill', 'start'] : ['start-partition', 'stop-partition']
    const value = p.f === 'kill' ? ['n2'] : { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] }
    events.push({ time: Math.round(p.start), type: 'info', process: 'nemesis', f: open, value })
    events.push({ time: Math.round(p.end), type: 'info', process: 'nemesis', f: close, value })
  }
  const inFault = (t: number) => periods.some((p) => t >= p.start && t <= p.end)
  for (let w = 0; w < c; w++) {
    let t = rnd() * 1e6
    let process = w
    for (let k = 0; k < calls / c; k++) {
      const fault = inFault(t)
      const latency = Math.exp(rnd() * 2) * (fault ? 3e6 : 4e5)
      const r = rnd()
      const f = r < 0.5 ? 'read' : r < 0.8 ? 'write' : 'cas'
      const v = Math.floor(rnd() * 5)
      const value = f === 'read' ? null : f === 'write' ? v : [v, Math.floor(rnd() * 5)]
      const outcome = rnd()
      const type = fault && outcome < 0.15 ? 'info' : outcome < (fault ? 0.3 : 0.04) ? 'fail' : 'ok'
      events.push({ time: Math.round(t), type: 'invoke', process, f, value })
      const end = Math.round(t + latency)
      const done = f === 'read' && type === 'ok' ? v : value
      events.push({
        time: end,
        type,
        process,
        f,
        value: done,
        ...(type === 'info' ? { error: 'timeout' } : {}),
      })
      if (type === 'info') process += c
      t = end + rnd() * 2e7
    }
  }
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
  o: SyntheticOptions & { name?: string; results?: RunResults; history?: Op[] },
): SyntheticRun {
  const name = o.name ?? 'register'
  const dir = join(root, name, '20250101T120000.000')
  mkdirSync(dir, { recursive: true })
  const run = new Run(dir)
  const history = o.history ?? syntheticHistory(o)
  writeFileSync(run.historyPath, history.map((op) => `${JSON.stringify(op)}\n`).join(''))
  const nodes = ['n1', 'n2', 'n3']
  const test: TestRecord = {
    name,
    workload: 'register',
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
