// The transaction dependency graph in compressed sparse row form (fast to build and walk at
// 100k+ transactions), plus the process-order and realtime edges, the latter as a transitive
// reduction (each txn is linked only to the frontier of txns completed before it began).
import type { Txn } from './types.ts'
import { PROCESS, REALTIME } from './types.ts'

/** Collects labelled edges (duplicates allowed) in growable typed arrays. */
export class EdgeList {
  src = new Int32Array(1024)
  dst = new Int32Array(1024)
  lab = new Uint8Array(1024)
  size = 0

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
 * Txn ids sorted by `at(t)` (ties in txn order), without a comparator: each key is packed as
 * at * 2n + 2 id + tag into a Float64Array, which sorts natively. `at` must be an integer.
 */
function sortedEvents(
  txns: readonly Txn[],
  events: (t: Txn, push: (at: number, tag: 0 | 1) => void) => void,
): { txn: Int32Array; tag: Uint8Array } {
  const span = 2 * txns.length
  const keys: number[] = []
  for (const t of txns) events(t, (at, tag) => keys.push(at * span + 2 * t.id + tag))
  const sorted = Float64Array.from(keys).sort()
  const txn = new Int32Array(sorted.length)
  const tag = new Uint8Array(sorted.length)
  for (let i = 0; i < sorted.length; i++) {
    const rest = sorted[i] - Math.floor(sorted[i] / span) * span
    txn[i] = rest >> 1
    tag[i] = rest & 1
  }
  return { txn, tag }
}

/** Links each committed or indeterminate txn to the next one its process ran. */
export function processEdges(txns: readonly Txn[], add: (a: number, b: number, l: number) => void): void {
  const last = new Map<number, number>()
  const { txn } = sortedEvents(txns, (t, push) => {
    if (t.type !== 'fail') push(t.invokeAt ?? t.op, 0)
  })
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
  const { txn, tag } = sortedEvents(txns, (t, push) => {
    if (t.invokeAt === undefined || t.type === 'fail') return
    push(t.invokeAt, 0)
    if (t.type === 'ok' && t.completeAt !== undefined) push(t.completeAt, 1)
  })
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
