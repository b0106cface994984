// Randomised differential test: small random histories, some recorded from a simulated
// linearizable multi-key CAS register (with crashes, failed cas and unfinished ops), some of
// them corrupted, checked by analyze() and by a brute-force search over every order and
// every subset of crashed ops written here, independently of the WGL search.
import { describe, expect, test } from 'vitest'
import type { Op, OpType } from '../../lib/history/op.ts'
import { analyze } from './index.ts'

/** Deterministic PRNG (mulberry32) so that a failing seed can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Pending {
  f: string
  key: string
  value: unknown
  result?: { type: OpType; value: unknown }
}

/** Records a history of a real (atomic) register map with `procs` clients doing `nOps` ops. */
function simulate(rand: () => number, nOps: number, procs: number, keys: number): Op[] {
  const ops: Op[] = []
  const reg = new Map<string, number | null>()
  const pending = new Map<number, Pending>()
  let next = procs
  const live = Array.from({ length: procs }, (_, i) => i)
  const emit = (process: number, type: OpType, p: Pending, value: unknown) =>
    ops.push({ index: ops.length, time: ops.length, type, process, f: p.f, key: p.key, value })
  let issued = 0
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]
  for (let step = 0; step < 200 && (issued < nOps || pending.size > 0); step++) {
    const slot = Math.floor(rand() * live.length)
    const proc = live[slot]
    const p = pending.get(proc)
    if (!p) {
      if (issued >= nOps) continue
      issued++
      const f = pick(['read', 'write', 'cas'])
      const v =
        f === 'read'
          ? null
          : f === 'write'
            ? Math.floor(rand() * 3)
            : [pick([null, 0, 1, 2]), Math.floor(rand() * 3)]
      const op: Pending = { f, key: String(Math.floor(rand() * keys)), value: v }
      pending.set(proc, op)
      emit(proc, 'invoke', op, v)
    } else if (!p.result && rand() < 0.6) {
      // The op takes effect now.
      const cur = reg.get(p.key) ?? null
      if (p.f === 'read') p.result = { type: 'ok', value: cur }
      else if (p.f === 'write') {
        reg.set(p.key, p.value as number)
        p.result = { type: 'ok', value: p.value }
      } else {
        const [e, n] = p.value as [number | null, number]
        if (e === cur) reg.set(p.key, n)
        p.result = { type: e === cur ? 'ok' : 'fail', value: p.value }
      }
    } else if (rand() < 0.12) {
      // Crash: the op may or may not have taken effect; the process retires.
      emit(proc, 'info', p, p.value)
      pending.delete(proc)
      live[slot] = next++
    } else if (p.result) {
      emit(proc, p.result.type, p, p.result.value)
      pending.delete(proc)
    }
  }
  return ops
}

/** Changes one ok read's value (the result may or may not stay linearizable). */
function corrupt(rand: () => number, h: Op[]): Op[] {
  const reads = h.filter((o) => o.type === 'ok' && o.f === 'read')
  if (reads.length === 0) return h
  const victim = reads[Math.floor(rand() * reads.length)]
  const value = [null, 0, 1, 2][Math.floor(rand() * 4)]
  return h.map((o) => (o === victim ? { ...o, value } : o))
}

interface Call {
  f: string
  key: string
  value: unknown
  invoke: number
  complete: number
}

/** Brute force: tries every order of the calls consistent with real time, crashed ones optional. */
function bruteForce(h: Op[]): boolean {
  const calls: Call[] = []
  const open = new Map<number | string, Call>()
  for (const o of h) {
    if (o.type === 'invoke') {
      const c = {
        f: o.f,
        key: o.key ?? '',
        value: o.value,
        invoke: o.index,
        complete: Number.POSITIVE_INFINITY,
      }
      open.set(o.process, c)
      calls.push(c)
    } else {
      const c = open.get(o.process)
      open.delete(o.process)
      if (!c) continue
      if (o.type === 'fail') calls.splice(calls.indexOf(c), 1)
      else if (o.type === 'ok') {
        c.complete = o.index
        c.value = o.value
      }
    }
  }
  const step = (s: Map<string, unknown>, c: Call): Map<string, unknown> | undefined => {
    const cur = s.get(c.key) ?? null
    if (c.f === 'read') return c.value === cur ? s : undefined
    if (c.f === 'write') return new Map(s).set(c.key, c.value)
    const [e, n] = c.value as [unknown, unknown]
    return e === cur ? new Map(s).set(c.key, n) : undefined
  }
  const done = new Set<Call>()
  const search = (s: Map<string, unknown>): boolean => {
    if (calls.every((c) => done.has(c) || c.complete === Number.POSITIVE_INFINITY)) return true
    for (const c of calls) {
      if (done.has(c)) continue
      // c can go next only if no pending call completed before c was invoked.
      if (calls.some((d) => !done.has(d) && d !== c && d.complete < c.invoke)) continue
      const t = step(s, c)
      if (!t) continue
      done.add(c)
      const ok = search(t)
      done.delete(c)
      if (ok) return true
    }
    return false
  }
  return search(new Map())
}

/** Case `seed`: odd seeds are corrupted; every third uses two keys (exercising the per-key split). */
function makeCase(seed: number): { h: Op[]; corrupted: boolean } {
  const rand = rng(seed)
  const h = simulate(rand, 4 + (seed % 5), 2 + (seed % 3), seed % 3 === 0 ? 2 : 1)
  const corrupted = seed % 2 === 1
  return { h: corrupted ? corrupt(rand, h) : h, corrupted }
}

const SEEDS = Array.from({ length: 300 }, (_, seed) => seed)

describe('linearizable checker agrees with a brute-force checker', () => {
  test.each(SEEDS)('random history, seed %i', async (seed) => {
    const { h, corrupted } = makeCase(seed)
    const expected = bruteForce(h)
    if (!corrupted) expect(expected).toBe(true)
    const r = await analyze(h, { model: 'cas-register', workers: 0 })
    expect(r.valid).toBe(expected)
  })

  test('the cases include enough non-linearizable histories to matter', () => {
    const bad = SEEDS.filter((seed) => !bruteForce(makeCase(seed).h)).length
    expect(bad).toBeGreaterThan(30)
  })
})
