// The list-append history as flat, integer-indexed tables, built in one pass over the txns so
// that inference at 100k+ txns touches the (large, scattered) micro-ops once and allocates
// little: keys are interned to dense ids (one KeyInfo each), appends get dense write ids and
// reads of committed txns dense read ids, each described by parallel arrays.
import { DenseMap } from './dense-map.ts'
import { duplicateWrite } from './txns.ts'
import type { Elem, Key, Mop, Txn } from './types.ts'

/** Everything known about one key. */
export interface KeyInfo {
  key: Key
  /** Write ids of appended elements that the index's shared element table could not hold. */
  writers: Map<Elem, number> | undefined
  /** Write ids (every txn) and read ids (ok txns), in history order (views into the index's
   *  per-key tables, complete once the index is built). */
  writes: Int32Array
  reads: Int32Array
  /** Some failed txn appended to the key. */
  failedAppend: boolean
  /** Version order (filled in by versionOrder) and the write id of each element, -1 if none. */
  order: Elem[]
  orderWriter: Int32Array
  /** Appends by ok txns that no read saw; they follow the whole order. */
  unseen: number[]
}

/** Completion types, coded as their index here in typed arrays. */
export const TXN_TYPES: readonly Txn['type'][] = ['ok', 'info', 'fail']
export const OK = 0
export const FAIL = 2

const EMPTY: Elem[] = []
const NONE = new Int32Array(0)

export class ListAppendIndex {
  readonly keys: KeyInfo[] = []
  private readonly keyIds = new DenseMap<Key>()
  /** Write id by element value, for the first key that appended the value. */
  private readonly elemWriter = new DenseMap<Elem>()
  /** Key ids in order of their first append, and of their first ok read. */
  readonly appendedKeys: number[]
  readonly readKeys: number[]
  /** Ok txns that touch some key twice (only they can be internally inconsistent). */
  readonly repeaters: number[] = []
  /** Appends, by write id (0 .. writeCount-1): txn id, micro-op index, key id, is it the
   *  txn's last append to the key (1/0), its txn's completion (TXN_TYPES index). */
  writeCount = 0
  readonly wTxn: Int32Array
  readonly wMi: Int32Array
  readonly wKey: Int32Array
  readonly wFinal: Uint8Array
  readonly wType: Uint8Array
  /** Reads of ok txns, by read id (0 .. readCount-1): txn id, micro-op index, key id, the list
   *  read, whether it is the txn's first micro-op on the key (it shows the state the txn
   *  started from), whether the txn also appends to the key, and the version-order prefix
   *  length it saw (-1: none). */
  readCount = 0
  readonly rTxn: Int32Array
  readonly rMi: Int32Array
  readonly rKey: Int32Array
  readonly rList: Elem[][] = []
  readonly rExternal: Uint8Array
  readonly rAppends: Uint8Array
  readonly rLen: Int32Array
  /** Non-unique appends (the inference cannot go on with them). */
  readonly problems: string[] = []

  constructor(readonly txns: readonly Txn[]) {
    let mopCount = 0
    for (const t of txns) mopCount += t.mops.length
    this.wTxn = new Int32Array(mopCount)
    this.wMi = new Int32Array(mopCount)
    this.wKey = new Int32Array(mopCount)
    this.wFinal = new Uint8Array(mopCount)
    this.wType = new Uint8Array(mopCount)
    this.rTxn = new Int32Array(mopCount)
    this.rMi = new Int32Array(mopCount)
    this.rKey = new Int32Array(mopCount)
    this.rExternal = new Uint8Array(mopCount)
    this.rAppends = new Uint8Array(mopCount)
    this.rLen = new Int32Array(mopCount).fill(-1)
    const kids: number[] = []
    for (const t of txns) {
      const mops = t.mops
      for (let mi = 0; mi < mops.length; mi++) kids[mi] = this.keyId(mops[mi][1])
      this.addAppends(t, kids)
      if (t.type !== 'ok') continue
      if (repeatsKey(kids, mops.length)) this.repeaters.push(t.id)
      this.addReads(t, kids)
    }
    const writesByKey = byKey(this.keys.length, this.wKey, this.writeCount)
    const readsByKey = byKey(this.keys.length, this.rKey, this.readCount)
    this.keys.forEach((info, kid) => {
      info.writes = writesByKey(kid)
      info.reads = readsByKey(kid)
    })
    this.appendedKeys = firstSeen(this.keys.length, this.wKey, this.writeCount)
    this.readKeys = firstSeen(this.keys.length, this.rKey, this.readCount)
  }

  keyId(k: Key): number {
    let id = this.keyIds.get(k)
    if (id < 0) {
      id = this.keys.length
      this.keyIds.set(k, id)
      this.keys.push({
        key: k,
        writers: undefined,
        writes: NONE,
        reads: NONE,
        failedAppend: false,
        order: EMPTY,
        orderWriter: NONE,
        unseen: [],
      })
    }
    return id
  }

  /** The write id of the append of `e` to key `kid`, or -1. */
  writer(kid: number, e: Elem): number {
    const w = this.elemWriter.get(e)
    if (w >= 0 && this.wKey[w] === kid) return w
    return this.keys[kid].writers?.get(e) ?? -1
  }

  /** The txn behind write id `w`. */
  writeTxn(w: number): Txn {
    return this.txns[this.wTxn[w]]
  }

  /** Could `list`, read from key `kid`, hold an element twice? False means surely not: its
   *  elements are distinct appends (checked by marking their write ids, no hashing). */
  mayRepeat(kid: number, list: readonly Elem[]): boolean {
    this.marks ??= new Int32Array(this.writeCount)
    const call = ++this.markCall
    for (const e of list) {
      const w = this.writer(kid, e)
      if (w < 0 || this.marks[w] === call) return true
      this.marks[w] = call
    }
    return false
  }
  private marks: Int32Array | undefined
  private markCall = 0

  /** The external read of key `kid` by txn `t` (the state it started from), or -1. */
  externalRead(t: Txn, kid: number): number {
    for (const r of this.keys[kid].reads) if (this.rTxn[r] === t.id && this.rExternal[r]) return r
    return -1
  }

  /** Records txn t's appends, given its micro-ops' key ids; a repeated (key, value) is a problem. */
  private addAppends(t: Txn, kids: readonly number[]): void {
    const mops = t.mops
    for (let mi = 0; mi < mops.length; mi++) {
      const m = mops[mi]
      if (m[0] !== 'append') continue
      const kid = kids[mi]
      const info = this.keys[kid]
      const v = m[2] as Elem
      if (t.type === 'fail') info.failedAppend = true
      const prev = this.writer(kid, v)
      if (prev >= 0) {
        if (this.problems.length < 10)
          this.problems.push(duplicateWrite('append', t.op, this.writeTxn(prev).op, m[1], v))
        continue
      }
      const w = this.writeCount++
      this.wTxn[w] = t.id
      this.wMi[w] = mi
      this.wKey[w] = kid
      this.wFinal[w] = appendsAfter(mops, kids, mi) ? 0 : 1
      this.wType[w] = TXN_TYPES.indexOf(t.type)
      if (this.elemWriter.get(v) < 0) this.elemWriter.set(v, w)
      else {
        info.writers ??= new Map()
        info.writers.set(v, w)
      }
    }
  }

  /** Records the reads of ok txn `t` (consecutive read ids), given its micro-ops' key ids. */
  private addReads(t: Txn, kids: readonly number[]): void {
    const mops = t.mops
    for (let mi = 0; mi < mops.length; mi++) {
      const m = mops[mi]
      if (m[0] !== 'r') continue
      const kid = kids[mi]
      let external = true
      for (let j = 0; j < mi && external; j++) if (kids[j] === kid) external = false
      const r = this.readCount++
      this.rTxn[r] = t.id
      this.rMi[r] = mi
      this.rKey[r] = kid
      this.rList.push((m[2] ?? EMPTY) as Elem[])
      this.rExternal[r] = external ? 1 : 0
      this.rAppends[r] = appendsAfter(mops, kids, -1, kid) ? 1 : 0
    }
  }
}

/**
 * Groups ids 0..count-1 by their key (`keyOf`), keeping id order: one counting sort into a
 * shared table; returns each key's slice of it.
 */
function byKey(keyCount: number, keyOf: Int32Array, count: number): (kid: number) => Int32Array {
  const start = new Int32Array(keyCount + 1)
  for (let i = 0; i < count; i++) start[keyOf[i] + 1]++
  for (let k = 0; k < keyCount; k++) start[k + 1] += start[k]
  const fill = start.slice(0, keyCount)
  const table = new Int32Array(count)
  for (let i = 0; i < count; i++) table[fill[keyOf[i]]++] = i
  return (kid) => table.subarray(start[kid], start[kid + 1])
}

/** The keys of ids 0..count-1 (`keyOf`), each once, in order of first occurrence. */
function firstSeen(keyCount: number, keyOf: Int32Array, count: number): number[] {
  const seen = new Uint8Array(keyCount)
  const out: number[] = []
  for (let i = 0; i < count; i++)
    if (!seen[keyOf[i]]) {
      seen[keyOf[i]] = 1
      out.push(keyOf[i])
    }
  return out
}

/** Does some micro-op after `mi` append to key `kid` (by default the key of micro-op mi)? */
function appendsAfter(mops: readonly Mop[], kids: readonly number[], mi: number, kid = kids[mi]): boolean {
  for (let j = mi + 1; j < mops.length; j++) if (kids[j] === kid && mops[j][0] === 'append') return true
  return false
}

/** Does the txn touch some key twice (given its first n micro-ops' key ids)? */
function repeatsKey(kids: readonly number[], n: number): boolean {
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (kids[i] === kids[j]) return true
  return false
}
