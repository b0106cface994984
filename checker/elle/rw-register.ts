// rw-register inference: a read names its writer directly (values are unique), giving wr edges.
// Version orders are partial: the initial nil state precedes every write; optionally a read
// precedes the same txn's write (wfr), each process sees versions in order (sequential keys),
// or versions follow realtime (linearizable keys). Cycles among versions are "cyclic-versions"
// (the key's order is then unusable); otherwise each version edge gives ww, and a read of v gives
// rw to the writers of v's successors. Also G1a, G1b, internal and lost-update.
import { entry } from './entry.ts'
import { EdgeList, Graph, realtimePairs } from './graph.ts'
import { nontrivialSccs } from './scc.ts'
import { duplicateWrite } from './txns.ts'
import type { Anomaly, CheckOptions, Elem, Inference, Key, Txn } from './types.ts'
import { RW, WR, WW } from './types.ts'

type Version = Elem | null

interface Write {
  t: Txn
  final: boolean
}

/** A txn's view of one key: its first read (if that came before any write) and its last write. */
interface Touch {
  t: Txn
  read?: { value: Version }
  write?: Elem
}

interface KeyVersions {
  succ: Map<Version, Set<Version>>
  pred: Map<Version, Set<Version>>
  sources: Map<string, Set<string>>
  cyclic: boolean
}

const show = (x: unknown): string => JSON.stringify(x)

export function inferRwRegister(txns: readonly Txn[], opts: CheckOptions): Inference {
  const anomalies: Anomaly[] = []
  const problems: string[] = []
  const writes = new Map<Key, Map<Elem, Write>>()
  for (const t of txns) {
    const last = new Map<Key, Write>()
    for (const [f, k, v] of t.mops) {
      if (f !== 'w') continue
      const m = entry(writes, k, () => new Map<Elem, Write>())
      const dup = m.get(v as Elem)
      if (dup) {
        if (problems.length < 10) problems.push(duplicateWrite('w', t.op, dup.t.op, k, v))
        continue
      }
      const w: Write = { t, final: true }
      m.set(v as Elem, w)
      const prev = last.get(k)
      if (prev) prev.final = false
      last.set(k, w)
    }
  }
  const finalWriter = (k: Key, v: Version): Txn | undefined => {
    const w = v === null ? undefined : writes.get(k)?.get(v)
    return w?.final && w.t.type !== 'fail' ? w.t : undefined
  }

  const touches = new Map<Key, Touch[]>()
  const byTxn = new Map<number, Map<Key, Touch>>()
  for (const t of txns) {
    if (t.type === 'fail') continue
    const mine = new Map<Key, Touch>()
    byTxn.set(t.id, mine)
    const state = new Map<Key, Version>()
    for (const mop of t.mops) {
      const [f, k, raw] = mop
      const v = (raw ?? null) as Version
      const touch = entry(mine, k, (): Touch => {
        const fresh = { t }
        if (t.type === 'ok' || f === 'w') entry(touches, k, (): Touch[] => []).push(fresh)
        return fresh
      })
      if (f === 'w') {
        touch.write = v as Elem
        state.set(k, v)
        continue
      }
      if (t.type !== 'ok') continue
      if (state.has(k) && state.get(k) !== v)
        anomalies.push({
          type: 'internal',
          op: t.op,
          mop,
          expected: state.get(k),
          explanation: `op ${t.op} read ${show(k)} = ${show(v)}, but its own earlier micro-ops imply ${show(state.get(k))}`,
        })
      if (!state.has(k) && !touch.write) touch.read = { value: v }
      state.set(k, v)
      const w = v === null ? undefined : writes.get(k)?.get(v)
      if (w?.t.type === 'fail')
        anomalies.push({
          type: 'G1a',
          op: t.op,
          writer: w.t.op,
          mop,
          explanation: `op ${t.op} read ${show(k)} = ${show(v)}, which op ${w.t.op} wrote in a transaction that failed`,
        })
      else if (w && !w.final && w.t !== t)
        anomalies.push({
          type: 'G1b',
          op: t.op,
          writer: w.t.op,
          mop,
          explanation: `op ${t.op} read ${show(k)} = ${show(v)}, an intermediate state: op ${w.t.op} wrote ${show(k)} again later in the same transaction`,
        })
    }
  }

  const versions = new Map<Key, KeyVersions>()
  for (const [k, ts] of touches) versions.set(k, versionGraph(k, ts, opts, anomalies))
  lostUpdates(touches, anomalies)

  const edges: Inference['edges'] = (add) => {
    for (const [k, ts] of touches) {
      const vg = versions.get(k)!
      for (const touch of ts) {
        const r = touch.read
        if (!r) continue
        const w = finalWriter(k, r.value)
        if (w) add(w.id, touch.t.id, WR)
        if (!vg.cyclic)
          for (const next of vg.succ.get(r.value) ?? []) {
            const w2 = finalWriter(k, next)
            if (w2) add(touch.t.id, w2.id, RW)
          }
      }
      if (vg.cyclic) continue
      for (const [a, bs] of vg.succ) {
        const wa = finalWriter(k, a)
        if (wa) for (const b of bs) if (finalWriter(k, b)) add(wa.id, finalWriter(k, b)!.id, WW)
      }
    }
  }

  const explainStep: Inference['explainStep'] = (from, to, label) => {
    const fromKeys = byTxn.get(from.id) ?? new Map<Key, Touch>()
    for (const [k, touch] of byTxn.get(to.id) ?? []) {
      const vg = versions.get(k)
      const mine = fromKeys.get(k)
      if (!vg || !mine) continue
      if (
        label === WR &&
        touch.read &&
        touch.read.value !== null &&
        finalWriter(k, touch.read.value) === from
      )
        return { from: from.op, to: to.op, type: 'wr', key: k, value: touch.read.value }
      if (label === WW && touch.write !== undefined && mine.write !== undefined)
        if (vg.succ.get(mine.write)?.has(touch.write))
          return { from: from.op, to: to.op, type: 'ww', key: k, value: mine.write, value2: touch.write }
      if (
        label === RW &&
        mine.read &&
        touch.write !== undefined &&
        vg.succ.get(mine.read.value)?.has(touch.write)
      )
        return { from: from.op, to: to.op, type: 'rw', key: k, value: mine.read.value, value2: touch.write }
    }
    return undefined
  }

  return { problems, anomalies, edges, explainStep }
}

/** Builds key k's version graph from the enabled sources and reports cycles in it. */
function versionGraph(k: Key, ts: Touch[], opts: CheckOptions, out: Anomaly[]): KeyVersions {
  const vg: KeyVersions = { succ: new Map(), pred: new Map(), sources: new Map(), cyclic: false }
  const link = (a: Version, b: Version | undefined, source: string): void => {
    if (b === undefined || b === null || a === b) return
    const s = entry(vg.succ, a, () => new Set())
    s.add(b)
    const p = entry(vg.pred, b, () => new Set())
    p.add(a)
    const id = `${show(a)}>${show(b)}`
    const src = entry(vg.sources, id, () => new Set())
    src.add(source)
  }
  const first = (t: Touch): Version | undefined => (t.read ? t.read.value : t.write)
  const last = (t: Touch): Version | undefined => (t.write !== undefined ? t.write : t.read?.value)
  for (const t of ts) if (t.write !== undefined && t.t.type !== 'fail') link(null, t.write, 'initial-state')
  const observed = ts.filter((t) => t.t.type === 'ok')
  if (opts.wfrKeys) for (const t of observed) if (t.read) link(t.read.value, t.write, 'wfr-keys')
  if (opts.sequentialKeys) {
    const prev = new Map<number, Touch>()
    for (const t of observed) {
      const p = prev.get(t.t.process)
      const a = p && last(p)
      if (a !== undefined && a !== null) link(a, first(t), 'sequential-keys')
      prev.set(t.t.process, t)
    }
  }
  if (opts.linearizableKeys) {
    const txnTouch = new Map(observed.map((t) => [t.t.id, t]))
    realtimePairs(
      observed.map((t) => t.t),
      (a, b) => {
        const va = last(txnTouch.get(a)!)
        if (va !== undefined && va !== null) link(va, first(txnTouch.get(b)!), 'linearizable-keys')
      },
    )
  }
  if (vg.succ.size > 0 && (opts.wfrKeys || opts.sequentialKeys || opts.linearizableKeys)) {
    const values: Version[] = [...new Set([...vg.succ.keys(), ...vg.pred.keys()])]
    const id = new Map(values.map((v, i) => [v, i]))
    const el = new EdgeList()
    for (const [a, bs] of vg.succ) for (const b of bs) el.add(id.get(a)!, id.get(b)!, 1)
    for (const comp of nontrivialSccs(new Graph(values.length, el))) {
      vg.cyclic = true
      const inComp = new Set(comp.map((i) => values[i]))
      const sources = new Set<string>()
      for (const [edge, src] of vg.sources) {
        const [a, b] = edge.split('>').map((x) => JSON.parse(x) as Version)
        if (inComp.has(b) && (a === null || inComp.has(a))) for (const s of src) sources.add(s)
      }
      const scc = [...inComp].sort((x, y) => (String(x) < String(y) ? -1 : 1))
      out.push({
        type: 'cyclic-versions',
        key: k,
        scc,
        sources: [...sources].sort(),
        explanation: `key ${show(k)}: the version order inferred from ${[...sources].sort().join(', ')} has a cycle among ${show(scc)}`,
      })
    }
  }
  return vg
}

/** Two committed txns that read the same version of a key and both wrote it. */
function lostUpdates(touches: Map<Key, Touch[]>, out: Anomaly[]): void {
  for (const [k, ts] of touches) {
    const byValue = new Map<Version, Touch[]>()
    for (const t of ts) {
      if (!t.read || t.write === undefined || t.t.type !== 'ok') continue
      const g = entry(byValue, t.read.value, () => [])
      g.push(t)
    }
    for (const [v, g] of byValue)
      if (g.length > 1)
        out.push({
          type: 'lost-update',
          key: k,
          value: v,
          txns: g.map((t) => t.t.op),
          explanation: `key ${show(k)}: ops ${g.map((t) => t.t.op).join(', ')} all read ${show(v)} and then wrote the key; all but one of those writes was lost`,
        })
  }
}
