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

/** Links each committed or indeterminate txn to the next one its process ran. */
export function processEdges(txns: readonly Txn[], add: (a: number, b: number, l: number) => void): void {
  const last = new Map<number, Txn>()
  for (const t of [...txns].sort((a, b) => (a.invokeAt ?? a.op) - (b.invokeAt ?? b.op))) {
    if (t.type === 'fail') continue
    const prev = last.get(t.process)
    if (prev) add(prev.id, t.id, PROCESS)
    last.set(t.process, t)
  }
}

/**
 * Realtime order as a transitive reduction: a txn is linked from the current frontier when it is
 * invoked (completed txns not yet followed by a txn that began after they completed); when it
 * completes ok, it replaces the frontier members that completed before it began. Txns without an
 * invocation (completion-only histories) get no realtime edges; info txns get only incoming ones.
 */
export function realtimePairs(
  txns: readonly Txn[],
  add: (a: number, b: number, l: number) => void,
  label = REALTIME,
): void {
  const events: [at: number, t: Txn][] = []
  for (const t of txns) {
    if (t.invokeAt === undefined || t.type === 'fail') continue
    events.push([t.invokeAt, t])
    if (t.type === 'ok' && t.completeAt !== undefined) events.push([t.completeAt, t])
  }
  events.sort((a, b) => a[0] - b[0])
  let frontier: Txn[] = []
  for (const [when, t] of events) {
    if (when === t.invokeAt) {
      for (const p of frontier) add(p.id, t.id, label)
      continue
    }
    frontier = frontier.filter((p) => p.completeAt! > t.invokeAt!)
    frontier.push(t)
  }
}
