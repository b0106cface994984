// The transaction dependency graph in compressed sparse row form (fast to build and walk at
// 100k+ transactions), plus the process-order, realtime and timestamp-order edges, the latter two
// as transitive reductions (each txn is linked only to the frontier of txns that ended before it
// began: completed, or committed at an earlier timestamp).
import type { Txn } from './types.ts'
import { PROCESS, REALTIME, TIMESTAMP } from './types.ts'

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
 * An interval order as a transitive reduction, in one sorted sweep over begin and end events:
 * txn b follows txn a when a ended before b began. A txn is linked from the current frontier
 * when it begins (ended txns not yet followed by a txn that began after they ended); when it
 * ends, it replaces the frontier members that ended before it began. `begin`/`end` are integer
 * positions (NaN: none); a txn without a begin is left out, one without an end gets only
 * incoming edges. Ties go to the lower txn id, a begin before an end.
 */
function intervalOrder(
  begin: Float64Array,
  end: Float64Array,
  add: (a: number, b: number, l: number) => void,
  label: number,
): void {
  const n = begin.length
  const events = new EventSort(n)
  for (let id = 0; id < n; id++) {
    if (Number.isNaN(begin[id])) continue
    events.push(begin[id], id, 0)
    if (!Number.isNaN(end[id])) events.push(end[id], id, 1)
  }
  const { txn, tag } = events.sorted()
  const frontier = new Int32Array(n)
  let size = 0
  for (let i = 0; i < txn.length; i++) {
    const id = txn[i]
    if (tag[i] === 0 || end[id] === begin[id]) {
      for (let j = 0; j < size; j++) add(frontier[j], id, label)
      continue
    }
    let kept = 0
    for (let j = 0; j < size; j++) if (end[frontier[j]] > begin[id]) frontier[kept++] = frontier[j]
    frontier[kept] = id
    size = kept + 1
  }
}

/**
 * Realtime order: a txn that completed ok before another was invoked precedes it. Txns without
 * an invocation (completion-only histories) get no realtime edges; info txns get only incoming
 * ones; failed txns none.
 */
export function realtimePairs(
  txns: readonly Txn[],
  add: (a: number, b: number, l: number) => void,
  label = REALTIME,
): void {
  const begin = new Float64Array(txns.length).fill(Number.NaN)
  const end = new Float64Array(txns.length).fill(Number.NaN)
  for (const t of txns) {
    if (t.invokeAt === undefined || t.type === 'fail') continue
    begin[t.id] = t.invokeAt
    if (t.type === 'ok' && t.completeAt !== undefined) end[t.id] = t.completeAt
  }
  intervalOrder(begin, end, add, label)
}

/**
 * Timestamp order (DESIGN §3 `ts`): T1 precedes T2 when T1 committed (ok, with a commit ts)
 * at a timestamp before T2's start ts; info txns with a start ts get incoming edges. The
 * timestamps (decimal strings, beyond 2^53) are ranked exactly, a start before a commit at the
 * same timestamp, so equal timestamps give no edge. Returns the txns whose commit ts is not
 * after their start ts, as input problems.
 */
export function timestampPairs(
  txns: readonly Txn[],
  add: (a: number, b: number, l: number) => void,
): string[] {
  const problems: string[] = []
  // Event keys: 2 * ts for a start, 2 * ts + 1 for a commit; txn id and which, for ranking.
  const keys: bigint[] = []
  const ids: number[] = []
  const parse = (t: Txn, field: 'start' | 'commit'): bigint | undefined => {
    const v = t.ts?.[field]
    if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v)
    problems.push(`op ${t.op}: ts.${field} ${JSON.stringify(v)} is not a decimal integer string`)
    return undefined
  }
  for (const t of txns) {
    if (t.type === 'fail' || t.ts === undefined) continue
    const start = parse(t, 'start')
    if (start === undefined) continue
    keys.push(2n * start)
    ids.push(t.id)
    if (t.type !== 'ok' || t.ts.commit === undefined) continue
    const commit = parse(t, 'commit')
    if (commit === undefined) continue
    if (commit <= start) {
      problems.push(`op ${t.op}: its commit ts ${t.ts.commit} is not after its start ts ${t.ts.start}`)
      continue
    }
    keys.push(2n * commit + 1n)
    ids.push(-1 - t.id)
  }
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0))
  const begin = new Float64Array(txns.length).fill(Number.NaN)
  const end = new Float64Array(txns.length).fill(Number.NaN)
  let rank = -1
  order.forEach((e, i) => {
    if (i === 0 || keys[e] !== keys[order[i - 1]]) rank++
    if (ids[e] >= 0) begin[ids[e]] = rank
    else end[-1 - ids[e]] = rank
  })
  if (problems.length === 0) intervalOrder(begin, end, add, TIMESTAMP)
  return problems
}
