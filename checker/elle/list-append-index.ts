// The list-append history as flat, integer-indexed tables, so that inference at 100k+ txns
// allocates little: keys are interned to dense ids (one KeyInfo each), appends get dense write
// ids and reads of committed txns dense read ids, each described by parallel arrays.
import { duplicateWrite } from './txns.ts'
import type { Elem, Key, Txn } from './types.ts'

/** Everything known about one key. */
export interface KeyInfo {
  key: Key
  /** The write id of each element appended to the key. */
  writers: Map<Elem, number>
  /** Write ids (every txn) and read ids (ok txns), in history order. */
  writes: number[]
  reads: number[]
  /** Some failed txn appended to the key. */
  failedAppend: boolean
  /** Version order (filled in by versionOrder) and the write id of each element, -1 if none. */
  order: Elem[]
  orderWriter: number[]
  /** Appends by ok txns that no read saw; they follow the whole order. */
  unseen: number[]
}

const EMPTY: Elem[] = []

export class ListAppendIndex {
  readonly keys: KeyInfo[] = []
  private readonly keyIds = new Map<Key, number>()
  /** Key ids in order of their first append, and of their first ok read. */
  readonly appendedKeys: number[] = []
  readonly readKeys: number[] = []
  /** Appends, by write id: txn id, micro-op index, is it the txn's last append to the key. */
  readonly wTxn: number[] = []
  readonly wMi: number[] = []
  readonly wFinal: boolean[] = []
  /** Reads of ok txns, by read id: txn id, micro-op index, key id, the list read, whether it
   *  is the txn's first micro-op on the key (it shows the state the txn started from), whether
   *  the txn also appends to the key, and the version-order prefix length it saw (-1: none). */
  readonly rTxn: number[] = []
  readonly rMi: number[] = []
  readonly rKey: number[] = []
  readonly rList: Elem[][] = []
  readonly rExternal: boolean[] = []
  readonly rAppends: boolean[] = []
  readonly rLen: number[] = []
  /** Non-unique appends (the inference cannot go on with them). */
  readonly problems: string[] = []

  constructor(readonly txns: readonly Txn[]) {
    for (const t of txns) this.addAppends(t)
  }

  keyId(k: Key): number {
    let id = this.keyIds.get(k)
    if (id === undefined) {
      id = this.keys.length
      this.keyIds.set(k, id)
      this.keys.push({
        key: k,
        writers: new Map(),
        writes: [],
        reads: [],
        failedAppend: false,
        order: EMPTY,
        orderWriter: [],
        unseen: [],
      })
    }
    return id
  }

  /** The write id of the append of `e` to key `kid`, or -1. */
  writer(kid: number, e: Elem): number {
    return this.keys[kid].writers.get(e) ?? -1
  }

  /** The txn behind write id `w`. */
  writeTxn(w: number): Txn {
    return this.txns[this.wTxn[w]]
  }

  private addAppends(t: Txn): void {
    const mops = t.mops
    for (let mi = 0; mi < mops.length; mi++) {
      const m = mops[mi]
      if (m[0] !== 'append') continue
      const k = m[1]
      const v = m[2] as Elem
      const kid = this.keyId(k)
      const info = this.keys[kid]
      if (t.type === 'fail') info.failedAppend = true
      if (info.writes.length === 0) this.appendedKeys.push(kid)
      const prev = info.writers.get(v)
      if (prev !== undefined) {
        if (this.problems.length < 10)
          this.problems.push(duplicateWrite('append', t.op, this.writeTxn(prev).op, k, v))
        continue
      }
      let final = true
      for (let j = mi + 1; j < mops.length && final; j++)
        if (mops[j][0] === 'append' && mops[j][1] === k) final = false
      const w = this.wTxn.length
      this.wTxn.push(t.id)
      this.wMi.push(mi)
      this.wFinal.push(final)
      info.writers.set(v, w)
      info.writes.push(w)
    }
  }

  /** Records the reads of ok txn `t` (consecutive read ids), given its micro-ops' key ids. */
  addReads(t: Txn, kids: readonly number[]): void {
    const mops = t.mops
    for (let mi = 0; mi < mops.length; mi++) {
      const m = mops[mi]
      if (m[0] !== 'r') continue
      const kid = kids[mi]
      let external = true
      for (let j = 0; j < mi && external; j++) if (kids[j] === kid) external = false
      let appends = false
      for (let j = 0; j < mops.length && !appends; j++)
        if (kids[j] === kid && mops[j][0] === 'append') appends = true
      const r = this.rTxn.length
      this.rTxn.push(t.id)
      this.rMi.push(mi)
      this.rKey.push(kid)
      this.rList.push((m[2] ?? EMPTY) as Elem[])
      this.rExternal.push(external)
      this.rAppends.push(appends)
      this.rLen.push(-1)
      const info = this.keys[kid]
      if (info.reads.length === 0) this.readKeys.push(kid)
      info.reads.push(r)
    }
  }

  /** The external read of key `kid` by txn `t` (the state it started from), or -1. */
  externalRead(t: Txn, kid: number): number {
    for (const r of this.keys[kid].reads) if (this.rTxn[r] === t.id && this.rExternal[r]) return r
    return -1
  }
}
