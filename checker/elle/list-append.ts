// List-append inference: every ok read of a key is a prefix of the key's final list, so the
// longest read gives the key's version order. From it come ww (consecutive appends), wr (the last
// element a read saw) and rw (the next element it did not see) edges, plus the non-cycle
// anomalies: G1a, G1b, dirty-update, duplicate-elements, incompatible-order, internal,
// future-read and lost-update. Appends that no read saw follow the longest read (ok txns only;
// an unseen append of an info txn may never have happened).
import { entry } from './entry.ts'
import { duplicateWrite } from './txns.ts'
import type { Anomaly, Elem, Inference, Key, Mop, Txn } from './types.ts'
import { RW, WR, WW } from './types.ts'

interface Write {
  t: Txn
  mi: number
  /** Is this the txn's last append to the key? */
  final: boolean
}

interface Read {
  t: Txn
  mi: number
  list: Elem[]
  /** The txn's first micro-op on the key: it shows the state the txn started from. */
  external: boolean
  /** Length of the version-order prefix it saw; -1 when incompatible with the order. */
  len: number
}

interface KeyOrder {
  order: Elem[]
  pos: Map<Elem, number>
  /** Appends by ok txns that no read saw; they follow the whole order. */
  unseen: Write[]
}

const show = (x: unknown): string => JSON.stringify(x)

export function inferListAppend(txns: readonly Txn[]): Inference {
  const anomalies: Anomaly[] = []
  const problems: string[] = []
  const writes = new Map<Key, Map<Elem, Write>>()
  for (const t of txns) {
    const mops = t.mops
    for (let mi = 0; mi < mops.length; mi++) {
      const [f, k, v] = mops[mi]
      if (f !== 'append') continue
      const m = entry(writes, k, () => new Map<Elem, Write>())
      const prev = m.get(v as Elem)
      if (prev) {
        if (problems.length < 10) problems.push(duplicateWrite('append', t.op, prev.t.op, k, v))
        continue
      }
      let final = true
      for (let j = mi + 1; j < mops.length && final; j++)
        if (mops[j][0] === 'append' && mops[j][1] === k) final = false
      m.set(v as Elem, { t, mi, final })
    }
  }
  const writer = (k: Key, e: Elem): Write | undefined => writes.get(k)?.get(e)
  const failedKeys = new Set<Key>()
  for (const t of txns)
    if (t.type === 'fail') for (const [f, k] of t.mops) if (f === 'append') failedKeys.add(k)

  const reads = new Map<Key, Read[]>()
  for (const t of txns) {
    if (t.type !== 'ok') continue
    const mops = t.mops
    if (repeatsKey(mops)) checkInternal(t, writer, anomalies)
    for (let mi = 0; mi < mops.length; mi++) {
      const [f, k, v] = mops[mi]
      if (f !== 'r') continue
      let external = true
      for (let j = 0; j < mi && external; j++) if (mops[j][1] === k) external = false
      const r: Read = { t, mi, list: (v ?? []) as Elem[], external, len: -1 }
      entry(reads, k, (): Read[] => []).push(r)
      readAnomalies(r, k, writer, failedKeys.has(k), anomalies)
    }
  }
  const extRead = (t: Txn, k: Key): Read | undefined => reads.get(k)?.find((r) => r.t === t && r.external)

  const orders = new Map<Key, KeyOrder>()
  for (const [k, rs] of reads) orders.set(k, versionOrder(k, rs, anomalies))
  for (const [k, m] of writes) {
    const o = entry(orders, k, (): KeyOrder => ({ order: [], pos: new Map(), unseen: [] }))
    for (const [e, w] of m) if (w.t.type === 'ok' && !o.pos.has(e)) o.unseen.push(w)
    dirtyUpdate(k, o, writer, anomalies)
  }
  lostUpdates(reads, anomalies)

  const inGraph = (w: Write | undefined): w is Write => w !== undefined && w.t.type !== 'fail'
  const edges: Inference['edges'] = (add) => {
    for (const [k, o] of orders) {
      let prev: Write | undefined
      for (const e of o.order) {
        const w = writer(k, e)
        if (inGraph(prev) && inGraph(w)) add(prev.t.id, w.t.id, WW)
        prev = w
      }
      if (inGraph(prev)) for (const u of o.unseen) add(prev.t.id, u.t.id, WW)
      for (const r of reads.get(k) ?? []) {
        if (!r.external || r.len < 0) continue
        if (r.len > 0) {
          const w = writer(k, o.order[r.len - 1])
          if (inGraph(w)) add(w.t.id, r.t.id, WR)
        }
        if (r.len < o.order.length) {
          const w = writer(k, o.order[r.len])
          if (inGraph(w)) add(r.t.id, w.t.id, RW)
        } else for (const u of o.unseen) add(r.t.id, u.t.id, RW)
      }
    }
  }

  /** The versions before and after position `i` of key k's order (unseen appends come last). */
  const explainStep: Inference['explainStep'] = (from, to, label) => {
    if (label === WR)
      for (const [, k] of to.mops) {
        const r = extRead(to, k)
        const o = orders.get(k)!
        if (r && r.len > 0 && writer(k, o.order[r.len - 1])?.t === from)
          return { from: from.op, to: to.op, type: 'wr', key: k, value: o.order[r.len - 1] }
      }
    if (label === RW)
      for (const [, k] of from.mops) {
        const r = extRead(from, k)
        const next = r && r.len >= 0 ? nextAppendBy(k, r.len, to) : undefined
        if (r && next !== undefined)
          return { from: from.op, to: to.op, type: 'rw', key: k, value: prevValue(k, r.len), value2: next }
      }
    if (label === WW)
      for (const [f, k, v] of to.mops) {
        if (f !== 'append') continue
        const o = orders.get(k)!
        const p = o.pos.get(v as Elem) ?? (o.unseen.some((u) => u.t === to) ? o.order.length : -1)
        const before = p > 0 ? o.order[p - 1] : undefined
        if (before !== undefined && writer(k, before)?.t === from)
          return { from: from.op, to: to.op, type: 'ww', key: k, value: before, value2: v }
      }
    return undefined
  }
  const prevValue = (k: Key, len: number): unknown => (len > 0 ? orders.get(k)!.order[len - 1] : null)
  const nextAppendBy = (k: Key, len: number, t: Txn): unknown => {
    const o = orders.get(k)!
    if (len < o.order.length) return writer(k, o.order[len])?.t === t ? o.order[len] : undefined
    const u = o.unseen.find((w) => w.t === t)
    return u ? u.t.mops[u.mi][2] : undefined
  }

  return { problems, anomalies, edges, explainStep }
}

const appendsTo = (mops: readonly Mop[], k: Key): boolean => {
  for (const m of mops) if (m[0] === 'append' && m[1] === k) return true
  return false
}

/** Only a txn that touches some key twice can be internally inconsistent or read its future. */
function repeatsKey(mops: readonly Mop[]): boolean {
  for (let i = 1; i < mops.length; i++) for (let j = 0; j < i; j++) if (mops[i][1] === mops[j][1]) return true
  return false
}

/** Reads inside one txn must agree with its own earlier reads and appends; and no future reads. */
function checkInternal(t: Txn, writer: (k: Key, e: Elem) => Write | undefined, out: Anomaly[]): void {
  const state = new Map<Key, { unknownPrefix: boolean; list: Elem[] }>()
  t.mops.forEach((mop, mi) => {
    const [f, k, v] = mop
    const s = state.get(k)
    if (f === 'append') {
      if (s) s.list.push(v as Elem)
      else state.set(k, { unknownPrefix: true, list: [v as Elem] })
      return
    }
    const list = (v ?? []) as Elem[]
    for (const e of list) {
      const w = writer(k, e)
      if (w?.t === t && w.mi > mi) {
        out.push({
          type: 'future-read',
          op: t.op,
          mop,
          element: e,
          explanation: `op ${t.op} read ${show(list)} from key ${show(k)}, which includes ${show(e)}, an element it only appends later`,
        })
        break
      }
    }
    if (s) {
      const ok = s.unknownPrefix
        ? list.length >= s.list.length && s.list.every((e, i) => list[list.length - s.list.length + i] === e)
        : list.length === s.list.length && s.list.every((e, i) => list[i] === e)
      if (!ok) {
        const expected = s.unknownPrefix ? ['...', ...s.list] : s.list.length === 0 ? null : [...s.list]
        out.push({
          type: 'internal',
          op: t.op,
          mop,
          expected,
          explanation: `op ${t.op} read ${show(v)} from key ${show(k)}, but its own earlier micro-ops imply ${show(expected)}`,
        })
      }
    }
    state.set(k, { unknownPrefix: false, list: [...list] })
  })
}

/** G1a (an aborted append was read), G1b (an intermediate append was read), duplicates. */
function readAnomalies(
  r: Read,
  k: Key,
  writer: (k: Key, e: Elem) => Write | undefined,
  failedWrites: boolean,
  out: Anomaly[],
): void {
  const mop: Mop = r.t.mops[r.mi]
  for (const e of failedWrites ? r.list : []) {
    const w = writer(k, e)
    if (w?.t.type === 'fail') {
      out.push({
        type: 'G1a',
        op: r.t.op,
        writer: w.t.op,
        mop,
        element: e,
        explanation: `op ${r.t.op} read ${show(r.list)} from key ${show(k)}, including ${show(e)}, which op ${w.t.op} appended in a transaction that failed`,
      })
      break
    }
  }
  const lastE = r.list[r.list.length - 1]
  const w = lastE === undefined ? undefined : writer(k, lastE)
  if (w && !w.final && w.t !== r.t)
    out.push({
      type: 'G1b',
      op: r.t.op,
      writer: w.t.op,
      mop,
      element: lastE,
      explanation: `op ${r.t.op} read ${show(r.list)} from key ${show(k)}, ending in ${show(lastE)}, an intermediate state: op ${w.t.op} appended more to ${show(k)} after ${show(lastE)} in the same transaction`,
    })
}

const isPrefix = (a: readonly Elem[], b: readonly Elem[]): boolean => {
  if (a.length > b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function dedupe(r: Read, k: Key, out: Anomaly[]): Elem[] {
  const counts = new Map<Elem, number>()
  for (const e of r.list) counts.set(e, (counts.get(e) ?? 0) + 1)
  if (counts.size === r.list.length) return r.list
  const duplicates = Object.fromEntries([...counts].filter(([, n]) => n > 1))
  out.push({
    type: 'duplicate-elements',
    op: r.t.op,
    mop: r.t.mops[r.mi],
    duplicates,
    explanation: `op ${r.t.op} read ${show(r.list)} from key ${show(k)}, in which ${Object.keys(duplicates).join(', ')} occur more than once`,
  })
  return [...counts.keys()]
}

/** The longest read orders the key; every other read must be a prefix of it. */
function versionOrder(k: Key, rs: Read[], out: Anomaly[]): KeyOrder {
  let longest = rs[0]
  for (const r of rs) if (r.list.length > longest.list.length) longest = r
  let order = dedupe(longest, k, out)
  const slow: [Read, Elem[]][] = []
  for (const r of rs) {
    if (r !== longest && isPrefix(r.list, order)) r.len = r.list.length
    else slow.push([r, r === longest ? order : dedupe(r, k, out)])
  }
  for (const [, list] of slow) if (isPrefix(order, list)) order = list
  let reported = 0
  for (const [r, list] of slow) {
    if (isPrefix(list, order)) r.len = list.length
    else if (reported++ < 4)
      out.push({
        type: 'incompatible-order',
        key: k,
        values: [list, order],
        ops: [r.t.op, longest.t.op],
        explanation: `key ${show(k)}: op ${r.t.op} read ${show(list)}, which is not a prefix of ${show(order)} (read by another txn), so no single order of appends explains both`,
      })
  }
  const pos = new Map<Elem, number>()
  order.forEach((e, i) => {
    pos.set(e, i)
  })
  return { order, pos, unseen: [] }
}

/** A failed append that a later committed append follows in the observed order. */
function dirtyUpdate(
  k: Key,
  o: KeyOrder,
  writer: (k: Key, e: Elem) => Write | undefined,
  out: Anomaly[],
): void {
  const failed = o.order.findIndex((e) => writer(k, e)?.t.type === 'fail')
  if (failed < 0) return
  const ok = o.order.findIndex((e, i) => i > failed && writer(k, e)?.t.type === 'ok')
  if (ok < 0) return
  const [a, b] = [writer(k, o.order[failed])!.t.op, writer(k, o.order[ok])!.t.op]
  out.push({
    type: 'dirty-update',
    key: k,
    values: o.order.slice(failed, ok + 1),
    txns: [a, '...', b],
    explanation: `key ${show(k)}: op ${b} appended ${show(o.order[ok])} on top of ${show(o.order[failed])}, which op ${a} appended in a transaction that failed`,
  })
}

/** Two committed txns that read the same version of a key and both appended to it. */
function lostUpdates(reads: Map<Key, Read[]>, out: Anomaly[]): void {
  for (const [k, rs] of reads) {
    const byLen = new Map<number, Read[]>()
    for (const r of rs) {
      if (!r.external || r.len < 0 || !appendsTo(r.t.mops, k)) continue
      const g = entry(byLen, r.len, () => [])
      g.push(r)
    }
    for (const g of byLen.values())
      if (g.length > 1)
        out.push({
          type: 'lost-update',
          key: k,
          value: g[0].list,
          txns: g.map((r) => r.t.op),
          explanation: `key ${show(k)}: ops ${g.map((r) => r.t.op).join(', ')} all read ${show(g[0].list)} and then appended to it; all but one of those appends was lost`,
        })
  }
}
