// The transaction dependency graph in compressed sparse row form (fast to build and walk at
// 100k+ transactions), plus the process-order and realtime edges, the latter as a transitive
// reduction (each txn is linked only to the frontier of txns completed before it began).
import type { Txn } from './types.ts'
import { PROCESS, REALTIME } from './types.ts'

/** Collects labelled edges (duplicates allowed) in growable typed arrays. */
export class EdgeList {
  src: Int32Array
  dst: Int32Array
  lab: Uint8Array
  size = 0

  /** `capacity`: the expected edge count (the lists grow past it when needed). */
  constructor(capacity = 1024) {
    const n = Math.max(16, capacity)
    this.src = new Int32Array(n)
    this.dst = new Int32Array(n)
    this.lab = new Uint8Array(n)
  }

  add = (from: number, to: number, label: number): void => {
    if (from === to) return
    if (this.size === this.src.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2)
        b.set(a)
        return b
      }
      this.src = grow(this.src)
      this.dst = grow(this.dst)
      this.lab = grow(this.lab)
    }
    this.src[this.size] = from
    this.dst[this.size] = to
    this.lab[this.size] = label
    this.size++
  }
}

export class Graph {
  /** Out-edges of node v are at positions offsets[v] .. offsets[v+1]-1 of targets/labels. */
  readonly offsets: Int32Array
  readonly targets: Int32Array
  readonly labels: Uint8Array

  constructor(
    readonly n: number,
    edges: EdgeList,
  ) {
    const offsets = new Int32Array(n + 1)
    for (let i = 0; i < edges.size; i++) offsets[edges.src[i] + 1]++
    for (let v = 0; v < n; v++) offsets[v + 1] += offsets[v]
    const fill = offsets.slice(0, n)
    this.targets = new Int32Array(edges.size)
    this.labels = new Uint8Array(edges.size)
    for (let i = 0; i < edges.size; i++) {
      const at = fill[edges.src[i]]++
      this.targets[at] = edges.dst[i]
      this.labels[at] = edges.lab[i]
    }
    this.offsets = offsets
  }

  get edgeCount(): number {
    return this.targets.length
  }

  /** Union of the labels on every edge from `a` to `b` (0 when there is none). */
  labelsBetween(a: number, b: number): number {
    let m = 0
    for (let i = this.offsets[a]; i < this.offsets[a + 1]; i++) if (this.targets[i] === b) m |= this.labels[i]
    return m
  }
}

/**
 * Up to two events per txn (tag 0 and 1) sorted by time, ties in push order (txn id, then tag),
 * without a comparator: each is packed as at * 2n + 2 id + tag into a Float64Array, which sorts
 * natively. `at` (a history index) must be an integer.
 */
class EventSort {
  private readonly keys: Float64Array
  private readonly span: number
  private size = 0

  constructor(txnCount: number) {
    this.span = 2 * txnCount
    this.keys = new Float64Array(this.span)
  }

  push(at: number, id: number, tag: 0 | 1): void {
    this.keys[this.size++] = at * this.span + 2 * id + tag
  }

  /** The events' txn ids and tags, in order. */
  sorted(): { txn: Int32Array; tag: Uint8Array } {
    const sorted = this.keys.subarray(0, this.size).sort()
    const txn = new Int32Array(this.size)
    const tag = new Uint8Array(this.size)
    for (let i = 0; i < this.size; i++) {
      const rest = sorted[i] - Math.floor(sorted[i] / this.span) * this.span
      txn[i] = rest >> 1
      tag[i] = rest & 1
    }
    return { txn, tag }
  }
}

/** Links each committed or indeterminate txn to the next one its process ran. */
export function processEdges(txns: readonly Txn[], add: (a: number, b: number, l: number) => void): void {
  const last = new Map<number, number>()
  const events = new EventSort(txns.length)
  for (const t of txns) if (t.type !== 'fail') events.push(t.invokeAt ?? t.op, t.id, 0)
  const { txn } = events.sorted()
  for (const id of txn) {
    const t = txns[id]
    const prev = last.get(t.process)
    if (prev !== undefined) add(prev, id, PROCESS)
    last.set(t.process, id)
  }
}

/**
 * Realtime order as a transitive reduction, in one sorted sweep over invocations and
 * completions: a txn is linked from the current frontier when it is invoked (completed txns not
 * yet followed by a txn that began after they completed); when it completes ok, it replaces the
 * frontier members that completed before it began. Txns without an invocation (completion-only
 * histories) get no realtime edges; info txns get only incoming ones.
 */
export function realtimePairs(
  txns: readonly Txn[],
  add: (a: number, b: number, l: number) => void,
  label = REALTIME,
): void {
  const events = new EventSort(txns.length)
  for (const t of txns) {
    if (t.invokeAt === undefined || t.type === 'fail') continue
    events.push(t.invokeAt, t.id, 0)
    if (t.type === 'ok' && t.completeAt !== undefined) events.push(t.completeAt, t.id, 1)
  }
  const { txn, tag } = events.sorted()
  const frontier = new Int32Array(txns.length)
  let size = 0
  for (let i = 0; i < txn.length; i++) {
    const t = txns[txn[i]]
    if (tag[i] === 0 || t.completeAt === t.invokeAt) {
      for (let j = 0; j < size; j++) add(frontier[j], t.id, label)
      continue
    }
    const began = t.invokeAt!
    let kept = 0
    for (let j = 0; j < size; j++) if (txns[frontier[j]].completeAt! > began) frontier[kept++] = frontier[j]
    frontier[kept] = t.id
    size = kept + 1
  }
}
