// Cycle search: for each anomaly class, the components of the subgraph of edges the class may
// use (iterative Tarjan), then per component a breadth-first search over (node, automaton
// state) from each candidate starting edge, which yields the shortest cycle through that edge
// that satisfies the class. Cycles are named by the labels of the edges actually followed.
import type { Graph } from './graph.ts'
import { nontrivialSccs } from './scc.ts'
import { PROCESS, REALTIME, RW, TIMESTAMP, WR, WW } from './types.ts'

export type BaseClass = 'G0' | 'G1c' | 'G-single-item' | 'G-nonadjacent-item' | 'G2-item'
export const BASE_CLASSES: readonly BaseClass[] = [
  'G0',
  'G1c',
  'G-single-item',
  'G-nonadjacent-item',
  'G2-item',
]

export interface FoundCycle {
  /** Classified name, e.g. "G-single-item-realtime". */
  type: string
  /** Node ids around the cycle; the first is repeated at the end. */
  nodes: number[]
  /** Label followed on each step (one bit). */
  labels: number[]
}

export interface SearchOutcome {
  cycles: FoundCycle[]
  /** Classes whose search ran out of time, with the size of the component being searched. */
  timedOut: { search: string; sccSize: number }[]
}

const BASE_ALLOWED: Record<BaseClass, number> = {
  G0: WW,
  G1c: WW | WR,
  'G-single-item': WW | WR | RW,
  'G-nonadjacent-item': WW | WR | RW,
  'G2-item': WW | WR | RW,
}

// Automaton state bits: rw count (0, 1, 2 = two or more), last edge rw, wr seen, special seen.
const RWC = 3
const LAST_RW = 4
const WR_SEEN = 8
const SPECIAL = 16
const STATES = 32

function step(base: BaseClass, state: number, label: number): number {
  if (label === RW) {
    const c = state & RWC
    if (base === 'G-single-item' && c >= 1) return -1
    if (base === 'G-nonadjacent-item' && state & LAST_RW) return -1
    return (state & ~RWC) | Math.min(c + 1, 2) | LAST_RW
  }
  let s = state & ~LAST_RW
  if (label === WR) s |= WR_SEEN
  if (label === PROCESS || label === REALTIME || label === TIMESTAMP) s |= SPECIAL
  return s
}

function accepts(base: BaseClass, variant: number, state: number, firstRw: boolean): boolean {
  if (variant && !(state & SPECIAL)) return false
  const c = state & RWC
  switch (base) {
    case 'G0':
      return true
    case 'G1c':
      return (state & WR_SEEN) !== 0
    case 'G-single-item':
      return c === 1
    case 'G-nonadjacent-item':
      return c === 2 && !(firstRw && state & LAST_RW)
    case 'G2-item':
      return c >= 1
  }
}

/** The anomaly-name suffix of each order edge (a search follows one kind), by precedence. */
const VARIANTS: readonly [label: number, name: string][] = [
  [REALTIME, 'realtime'],
  [TIMESTAMP, 'timestamp'],
  [PROCESS, 'process'],
]
const VARIANT_NAMES = Object.fromEntries(VARIANTS)

/** Names a cycle by the labels it followed. */
export function classify(labels: readonly number[]): string {
  const rw = labels.filter((l) => l === RW).length
  let base: string
  if (rw === 0) base = labels.includes(WR) ? 'G1c' : 'G0'
  else if (rw === 1) base = 'G-single-item'
  else {
    const adjacent = labels.some((l, i) => l === RW && labels[(i + 1) % labels.length] === RW)
    base = adjacent ? 'G2-item' : 'G-nonadjacent-item'
  }
  for (const [label, name] of VARIANTS) if (labels.includes(label)) return `${base}-${name}`
  return base
}

class Deadline {
  constructor(
    readonly at: number,
    readonly signal?: AbortSignal,
  ) {}
  passed(): boolean {
    return performance.now() > this.at || this.signal?.aborted === true
  }
}

/**
 * Breadth-first search state over (node, automaton state) pairs, shared by every search of one
 * findCycles call: grown to the largest component, never cleared (a pair is visited in the
 * current search when its stamp equals the current, ever-increasing epoch).
 */
class BfsBuffers {
  stamp = new Int32Array(0)
  parent = new Int32Array(0)
  via = new Uint8Array(0)
  queue = new Int32Array(0)
  epoch = 0

  ensure(size: number): void {
    if (this.stamp.length >= size) return
    this.stamp = new Int32Array(size)
    this.parent = new Int32Array(size)
    this.via = new Uint8Array(size)
    this.queue = new Int32Array(size)
  }
}

/** Breadth-first search for a class-conforming cycle in one component; undefined if none. */
function searchComponent(
  g: Graph,
  comp: number[],
  local: Int32Array,
  base: BaseClass,
  variant: number,
  deadline: Deadline,
  bfs: BfsBuffers,
): FoundCycle | undefined | 'timeout' {
  const allowed = BASE_ALLOWED[base] | variant
  const startLabel = variant || (base === 'G0' ? WW : base === 'G1c' ? WR : RW)
  bfs.ensure(comp.length * STATES)
  const { stamp, parent, via, queue } = bfs
  let work = 0
  for (const a of comp) {
    for (let e = g.offsets[a]; e < g.offsets[a + 1]; e++) {
      const b = g.targets[e]
      if (local[b] < 0 || (g.labels[e] & startLabel) === 0) continue
      if (++work % 64 === 0 && deadline.passed()) return 'timeout'
      const epoch = ++bfs.epoch
      const s0 = step(base, 0, startLabel)
      const firstRw = startLabel === RW
      let head = 0
      let tail = 0
      const p0 = local[b] * STATES + s0
      stamp[p0] = epoch
      parent[p0] = -1
      queue[tail++] = p0
      while (head < tail) {
        if ((head & 4095) === 4095 && deadline.passed()) return 'timeout'
        const cur = queue[head++]
        const u = comp[(cur / STATES) | 0]
        const s = cur % STATES
        for (let f = g.offsets[u]; f < g.offsets[u + 1]; f++) {
          const w = g.targets[f]
          const lw = local[w]
          if (lw < 0) continue
          const labs = g.labels[f] & allowed
          for (let bit = 1; bit <= labs; bit <<= 1) {
            if ((labs & bit) === 0) continue
            const s2 = step(base, s, bit)
            if (s2 < 0) continue
            if (w === a) {
              if (!accepts(base, variant, s2, firstRw)) continue
              const labels = [bit]
              const nodes = [a]
              for (let p = cur; p !== -1; p = parent[p]) {
                nodes.push(comp[(p / STATES) | 0])
                labels.push(via[p])
              }
              labels[labels.length - 1] = startLabel
              nodes.push(a)
              nodes.reverse()
              labels.reverse()
              return { type: classify(labels), nodes, labels }
            }
            const p2 = lw * STATES + s2
            if (stamp[p2] === epoch) continue
            stamp[p2] = epoch
            parent[p2] = cur
            via[p2] = bit
            queue[tail++] = p2
          }
        }
      }
    }
  }
  return undefined
}

/**
 * Identifies a cycle regardless of where it starts: its node/label sequence rotated to begin at
 * its smallest node (a shortest cycle visits each node once). Different class searches often
 * find the same cycle; it is reported once.
 */
function cycleSignature(c: FoundCycle): string {
  const n = c.labels.length
  let start = 0
  for (let i = 1; i < n; i++) if (c.nodes[i] < c.nodes[start]) start = i
  const parts: number[] = []
  for (let i = 0; i < n; i++) parts.push(c.nodes[(start + i) % n], c.labels[(start + i) % n])
  return parts.join(',')
}

/**
 * Searches every base class, plus its variant through each kind of order edge in `variants`
 * (PROCESS, REALTIME, TIMESTAMP; each search follows one kind). Returns at most `perType`
 * distinct cycles per classified name.
 */
export function findCycles(
  g: Graph,
  variants: number[],
  opts: { timeLimitMs?: number; signal?: AbortSignal; perType?: number } = {},
): SearchOutcome {
  const out: SearchOutcome = { cycles: [], timedOut: [] }
  if (nontrivialSccs(g).length === 0) return out
  const perType = opts.perType ?? 8
  const counts = new Map<string, number>()
  const seen = new Set<string>()
  const local = new Int32Array(g.n).fill(-1)
  const bfs = new BfsBuffers()
  /** Several classes allow the same edge labels: their components are computed once. */
  const sccsByMask = new Map<number, number[][]>()
  const sccs = (mask: number): number[][] => {
    let found = sccsByMask.get(mask)
    if (!found) {
      found = nontrivialSccs(g, mask)
      sccsByMask.set(mask, found)
    }
    return found
  }
  const budget = opts.timeLimitMs ?? 60_000
  for (const variant of [0, ...variants])
    for (const base of BASE_CLASSES) {
      const search = variant ? `${base}-${VARIANT_NAMES[variant]}` : base
      const deadline = new Deadline(performance.now() + budget, opts.signal)
      for (const comp of sccs(BASE_ALLOWED[base] | variant)) {
        comp.forEach((v, i) => {
          local[v] = i
        })
        const found = searchComponent(g, comp, local, base, variant, deadline, bfs)
        for (const v of comp) local[v] = -1
        if (found === 'timeout') {
          out.timedOut.push({ search, sccSize: comp.length })
          break
        }
        if (!found) continue
        const n = counts.get(found.type) ?? 0
        if (n >= perType) continue
        const signature = cycleSignature(found)
        if (seen.has(signature)) continue
        seen.add(signature)
        counts.set(found.type, n + 1)
        out.cycles.push(found)
      }
    }
  return out
}
