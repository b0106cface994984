// List-append inference: every ok read of a key is a prefix of the key's final list, so the
// longest read gives the key's version order. From it come ww (consecutive appends), wr (the last
// element a read saw) and rw (the next element it did not see) edges, plus the non-cycle
// anomalies (list-append-anomalies.ts, and duplicate-elements and incompatible-order here).
// Appends that no read saw follow the longest read (ok txns only; an unseen append of an info
// txn may never have happened). Works on the interned tables of list-append-index.ts.
import { checkInternal, dirtyUpdate, lostUpdates, readAnomalies } from './list-append-anomalies.ts'
import type { KeyInfo } from './list-append-index.ts'
import { FAIL, ListAppendIndex, OK } from './list-append-index.ts'
import type { Anomaly, Elem, Inference, Txn } from './types.ts'
import { RW, WR, WW } from './types.ts'

const show = (x: unknown): string => JSON.stringify(x)

export function inferListAppend(txns: readonly Txn[]): Inference {
  const anomalies: Anomaly[] = []
  const ix = new ListAppendIndex(txns)
  readAnomaliesAll(ix, anomalies)
  for (const kid of ix.readKeys) versionOrder(ix, ix.keys[kid], anomalies)
  const wPos = orderPositions(ix)
  for (const kid of ix.appendedKeys) {
    const info = ix.keys[kid]
    for (const w of info.writes) if (wPos[w] < 0 && ix.wType[w] === OK) info.unseen.push(w)
    dirtyUpdate(ix, info, anomalies)
  }
  for (const kid of ix.readKeys) lostUpdates(ix, ix.keys[kid], anomalies)
  const edgeKeys = [...ix.readKeys, ...ix.appendedKeys.filter((kid) => ix.keys[kid].reads.length === 0)]
  return {
    problems: ix.problems,
    anomalies,
    edges: (add) => {
      for (const kid of edgeKeys) keyEdges(ix, ix.keys[kid], add)
    },
    explainStep: stepExplainer(ix, wPos),
  }
}

/** Internal consistency of the txns that touch a key twice, then G1a/G1b of every read. */
function readAnomaliesAll(ix: ListAppendIndex, anomalies: Anomaly[]): void {
  for (const id of ix.repeaters) {
    const t = ix.txns[id]
    const kids = t.mops.map((m) => ix.keyId(m[1]))
    checkInternal(ix, t, kids, anomalies)
  }
  for (let r = 0; r < ix.readCount; r++) readAnomalies(ix, r, anomalies)
}

const isPrefix = (a: readonly Elem[], b: readonly Elem[]): boolean => {
  if (a.length > b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The read's list without repeated elements, reporting duplicate-elements when it had some. */
function dedupe(ix: ListAppendIndex, r: number, out: Anomaly[]): Elem[] {
  const list = ix.rList[r]
  if (!ix.mayRepeat(ix.rKey[r], list)) return list
  const counts = new Map<Elem, number>()
  for (const e of list) counts.set(e, (counts.get(e) ?? 0) + 1)
  if (counts.size === list.length) return list
  const duplicates = Object.fromEntries([...counts].filter(([, n]) => n > 1))
  const t = ix.txns[ix.rTxn[r]]
  out.push({
    type: 'duplicate-elements',
    op: t.op,
    mop: t.mops[ix.rMi[r]],
    duplicates,
    explanation: `op ${t.op} read ${show(list)} from key ${show(ix.keys[ix.rKey[r]].key)}, in which ${Object.keys(duplicates).join(', ')} occur more than once`,
  })
  return [...counts.keys()]
}

/** The longest read orders the key; every other read must be a prefix of it. Sets each read's
 *  prefix length, or reports incompatible-order. */
function versionOrder(ix: ListAppendIndex, info: KeyInfo, out: Anomaly[]): void {
  const rs = info.reads
  let longest = rs[0]
  for (const r of rs) if (ix.rList[r].length > ix.rList[longest].length) longest = r
  let order = dedupe(ix, longest, out)
  const slow: [number, Elem[]][] = []
  for (const r of rs) {
    if (r !== longest && isPrefix(ix.rList[r], order)) ix.rLen[r] = ix.rList[r].length
    else slow.push([r, r === longest ? order : dedupe(ix, r, out)])
  }
  for (const [, list] of slow) if (isPrefix(order, list)) order = list
  let reported = 0
  for (const [r, list] of slow) {
    if (isPrefix(list, order)) ix.rLen[r] = list.length
    else if (reported++ < 4) {
      const [op, longestOp] = [ix.txns[ix.rTxn[r]].op, ix.txns[ix.rTxn[longest]].op]
      out.push({
        type: 'incompatible-order',
        key: info.key,
        values: [list, order],
        ops: [op, longestOp],
        explanation: `key ${show(info.key)}: op ${op} read ${show(list)}, which is not a prefix of ${show(order)} (read by another txn), so no single order of appends explains both`,
      })
    }
  }
  info.order = order
}

/** Fills each key's orderWriter (slices of one table); returns each write's position in its
 *  key's order (-1: none). */
function orderPositions(ix: ListAppendIndex): Int32Array {
  const wPos = new Int32Array(ix.writeCount).fill(-1)
  let total = 0
  for (const info of ix.keys) total += info.order.length
  const table = new Int32Array(total)
  let at = 0
  ix.keys.forEach((info, kid) => {
    const n = info.order.length
    info.orderWriter = table.subarray(at, at + n)
    at += n
    for (let i = 0; i < n; i++) {
      const w = ix.writer(kid, info.order[i])
      info.orderWriter[i] = w
      if (w >= 0) wPos[w] = i
    }
  })
  return wPos
}

/** ww along the key's order (then to its unseen appends); wr and rw from each external read. */
function keyEdges(ix: ListAppendIndex, info: KeyInfo, add: (a: number, b: number, l: number) => void): void {
  /** The txn of write w when it is a graph node (write exists, txn did not fail), else -1. */
  const node = (w: number): number => (w >= 0 && ix.wType[w] !== FAIL ? ix.wTxn[w] : -1)
  const order = info.orderWriter
  const n = order.length
  let prev = -1
  for (let i = 0; i < n; i++) {
    const cur = node(order[i])
    if (prev >= 0 && cur >= 0) add(prev, cur, WW)
    prev = cur
  }
  if (prev >= 0) for (const u of info.unseen) add(prev, ix.wTxn[u], WW)
  for (const r of info.reads) {
    const len = ix.rLen[r]
    if (!ix.rExternal[r] || len < 0) continue
    const reader = ix.rTxn[r]
    if (len > 0) {
      const w = node(order[len - 1])
      if (w >= 0) add(w, reader, WR)
    }
    if (len < n) {
      const w = node(order[len])
      if (w >= 0) add(reader, w, RW)
    } else for (const u of info.unseen) add(reader, ix.wTxn[u], RW)
  }
}

/** Finds the key and versions behind a ww/wr/rw edge, for a cycle step. */
function stepExplainer(ix: ListAppendIndex, wPos: Int32Array): Inference['explainStep'] {
  const writtenBy = (w: number, t: Txn): boolean => w >= 0 && ix.wTxn[w] === t.id
  const keysOf = (t: Txn): number[] => t.mops.map((m) => ix.keyId(m[1]))
  /** The element txn t appended right after a read of `len` elements of the key, if any. */
  const nextAppendBy = (info: KeyInfo, len: number, t: Txn): unknown => {
    if (len < info.order.length) return writtenBy(info.orderWriter[len], t) ? info.order[len] : undefined
    const u = info.unseen.find((w) => ix.wTxn[w] === t.id)
    return u === undefined ? undefined : t.mops[ix.wMi[u]][2]
  }
  return (from, to, label) => {
    if (label === WR)
      for (const kid of keysOf(to)) {
        const r = ix.externalRead(to, kid)
        const info = ix.keys[kid]
        if (r >= 0 && ix.rLen[r] > 0 && writtenBy(info.orderWriter[ix.rLen[r] - 1], from))
          return { from: from.op, to: to.op, type: 'wr', key: info.key, value: info.order[ix.rLen[r] - 1] }
      }
    if (label === RW)
      for (const kid of keysOf(from)) {
        const r = ix.externalRead(from, kid)
        const info = ix.keys[kid]
        const len = r >= 0 ? ix.rLen[r] : -1
        const next = len >= 0 ? nextAppendBy(info, len, to) : undefined
        if (next !== undefined)
          return {
            from: from.op,
            to: to.op,
            type: 'rw',
            key: info.key,
            value: len > 0 ? info.order[len - 1] : null,
            value2: next,
          }
      }
    if (label === WW)
      for (const [f, k, v] of to.mops) {
        if (f !== 'append') continue
        const kid = ix.keyId(k)
        const info = ix.keys[kid]
        const w = ix.writer(kid, v as Elem)
        const p =
          w >= 0 && wPos[w] >= 0
            ? wPos[w]
            : info.unseen.some((u) => ix.wTxn[u] === to.id)
              ? info.order.length
              : -1
        if (p > 0 && writtenBy(info.orderWriter[p - 1], from))
          return { from: from.op, to: to.op, type: 'ww', key: k, value: info.order[p - 1], value2: v }
      }
    return undefined
  }
}
