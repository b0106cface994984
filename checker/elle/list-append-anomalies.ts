// The list-append anomalies that need no cycle: internal (a txn's reads disagree with its own
// earlier micro-ops), future-read, G1a (read of a failed append), G1b (read of an intermediate
// state), dirty-update and lost-update. They work on the interned ListAppendIndex.
import type { KeyInfo, ListAppendIndex } from './list-append-index.ts'
import { FAIL, OK } from './list-append-index.ts'
import type { Anomaly, Elem, Key, Txn } from './types.ts'

const show = (x: unknown): string => JSON.stringify(x)

/** Reads inside one txn must agree with its own earlier reads and appends; and no future reads. */
export function checkInternal(ix: ListAppendIndex, t: Txn, kids: readonly number[], out: Anomaly[]): void {
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
      const w = ix.writer(kids[mi], e)
      if (w >= 0 && ix.wTxn[w] === t.id && ix.wMi[w] > mi) {
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

/** G1a (an aborted append was read) and G1b (an intermediate append was read) for read `r`. */
export function readAnomalies(ix: ListAppendIndex, r: number, out: Anomaly[]): void {
  const t = ix.txns[ix.rTxn[r]]
  const kid = ix.rKey[r]
  const info = ix.keys[kid]
  const list = ix.rList[r]
  if (info.failedAppend)
    for (const e of list) {
      const w = ix.writer(kid, e)
      if (w < 0 || ix.wType[w] !== FAIL) continue
      const op = ix.writeTxn(w).op
      out.push({
        type: 'G1a',
        op: t.op,
        writer: op,
        mop: t.mops[ix.rMi[r]],
        element: e,
        explanation: `op ${t.op} read ${show(list)} from key ${show(info.key)}, including ${show(e)}, which op ${op} appended in a transaction that failed`,
      })
      break
    }
  if (list.length === 0) return
  const lastE = list[list.length - 1]
  const w = ix.writer(kid, lastE)
  if (w < 0 || ix.wFinal[w] || ix.wTxn[w] === t.id) return
  const op = ix.writeTxn(w).op
  out.push({
    type: 'G1b',
    op: t.op,
    writer: op,
    mop: t.mops[ix.rMi[r]],
    element: lastE,
    explanation: `op ${t.op} read ${show(list)} from key ${show(info.key)}, ending in ${show(lastE)}, an intermediate state: op ${op} appended more to ${show(info.key)} after ${show(lastE)} in the same transaction`,
  })
}

/** A failed append that a later committed append follows in the observed order. */
export function dirtyUpdate(ix: ListAppendIndex, info: KeyInfo, out: Anomaly[]): void {
  const type = (i: number): number => {
    const w = info.orderWriter[i]
    return w < 0 ? -1 : ix.wType[w]
  }
  const n = info.order.length
  let failed = 0
  while (failed < n && type(failed) !== FAIL) failed++
  let ok = failed + 1
  while (ok < n && type(ok) !== OK) ok++
  if (ok >= n) return
  const [a, b] = [ix.writeTxn(info.orderWriter[failed]).op, ix.writeTxn(info.orderWriter[ok]).op]
  out.push({
    type: 'dirty-update',
    key: info.key,
    values: info.order.slice(failed, ok + 1),
    txns: [a, '...', b],
    explanation: `key ${show(info.key)}: op ${b} appended ${show(info.order[ok])} on top of ${show(info.order[failed])}, which op ${a} appended in a transaction that failed`,
  })
}

/** Two committed txns that read the same version of a key and both appended to it. */
export function lostUpdates(ix: ListAppendIndex, info: KeyInfo, out: Anomaly[]): void {
  const groups = readAndAppendGroups(ix, info)
  for (const g of groups)
    if (g.length > 1) {
      const ops = g.map((r) => ix.txns[ix.rTxn[r]].op)
      out.push({
        type: 'lost-update',
        key: info.key,
        value: ix.rList[g[0]],
        txns: ops,
        explanation: `key ${show(info.key)}: ops ${ops.join(', ')} all read ${show(ix.rList[g[0]])} and then appended to it; all but one of those appends was lost`,
      })
    }
}

/** The key's external reads by txns that also append to it, grouped by the version they saw
 *  (groups in order of first appearance); none when no two saw the same version. */
function readAndAppendGroups(ix: ListAppendIndex, info: KeyInfo): Iterable<number[]> {
  const seen = new Set<number>()
  let clash = false
  for (const r of info.reads) {
    if (!ix.rExternal[r] || ix.rLen[r] < 0 || !ix.rAppends[r]) continue
    if (seen.has(ix.rLen[r])) clash = true
    seen.add(ix.rLen[r])
  }
  if (!clash) return []
  const byLen = new Map<number, number[]>()
  for (const r of info.reads) {
    if (!ix.rExternal[r] || ix.rLen[r] < 0 || !ix.rAppends[r]) continue
    const g = byLen.get(ix.rLen[r])
    if (g) g.push(r)
    else byLen.set(ix.rLen[r], [r])
  }
  return byLen.values()
}
