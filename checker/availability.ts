// Availability: did the test keep its load on every node, inside fault windows and outside them?
// A Jepsen test finds bugs only while clients keep operating during faults, so this is the
// figure that shows a run kept its power. From the history alone:
//   - load time: when client ops were in flight, as the union of [invoke, completion] spans
//     (gaps under LOAD_GAP_S joined), so idle phases (the final recovery wait) do not count;
//   - fault windows: the union of the nemesis's fault periods (lib/history/fault-periods.ts);
//   - per node (the completion's `node`): ok ops per second of load time inside the windows and
//     outside them, and per window;
//   - starved nodes: a node whose clients completed no ok op through a stretch of at least
//     `minGapS` seconds of load outside fault windows, in which the median node completed at
//     least MIN_EXPECTED ok ops. The cluster was healthy then, so the test lost its load there.
// Histories without `node` on completions (Jepsen, Porcupine) give no per-node figures.
import { faultPeriods } from '../lib/history/fault-periods.ts'
import type { Op, Process } from '../lib/history/op.ts'

/** Gaps in offered load shorter than this (s) still count as load (rate-limited workers pause). */
export const LOAD_GAP_S = 1
/** Default length (s) of load outside fault windows without an ok op that starves a node. */
export const MIN_GAP_S = 10
/** The median node must have completed at least this many ok ops in that time. */
export const MIN_EXPECTED = 10

export interface NodeAvailability {
  okInside: number
  okOutside: number
  /** Ok ops per second of load time inside / outside fault windows; null without such time. */
  rateInside: number | null
  rateOutside: number | null
}

export interface WindowAvailability {
  /** Seconds since test start. */
  start: number
  end: number
  faults: string[]
  /** Seconds of load inside the window. */
  load: number
  /** Ok ops per second of load, by node (null when the window saw no load). */
  rate: Record<string, number | null>
}

export interface Starved {
  node: string
  /** The stretch without an ok op from the node, seconds since test start. */
  from: number
  to: number
  /** Seconds of load outside fault windows within it. */
  outside: number
  /** Ok ops the median node completed in that time. */
  medianOk: number
}

export interface Availability {
  /** Seconds of load inside and outside fault windows. */
  load: { inside: number; outside: number }
  nodes: Record<string, NodeAvailability>
  windows: WindowAvailability[]
  starved: Starved[]
}

type Span = [start: number, end: number]

const seconds = (ns: number) => Math.round(ns / 1e6) / 1e3
const rate = (count: number, s: number) => (s > 0 ? Math.round((count / s) * 100) / 100 : null)

/** Sorted, disjoint union of spans; spans closer than `gap` are joined. */
function union(spans: Span[], gap = 0): Span[] {
  const out: Span[] = []
  for (const [s, e] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1]
    if (last && s - last[1] <= gap) last[1] = Math.max(last[1], e)
    else out.push([s, e])
  }
  return out
}

/** Intersection of two sorted, disjoint span lists. */
function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = []
  let j = 0
  for (const [s, e] of a) {
    while (j < b.length && b[j][1] <= s) j++
    for (let k = j; k < b.length && b[k][0] < e; k++) {
      const lo = Math.max(s, b[k][0])
      const hi = Math.min(e, b[k][1])
      if (hi > lo) out.push([lo, hi])
    }
  }
  return out
}

/** `a` minus `b` (both sorted and disjoint). */
function subtract(a: Span[], b: Span[]): Span[] {
  const out: Span[] = []
  for (const [s, e] of a) {
    let lo = s
    for (const [bs, be] of b) {
      if (be <= lo || bs >= e) continue
      if (bs > lo) out.push([lo, bs])
      lo = Math.max(lo, be)
    }
    if (lo < e) out.push([lo, e])
  }
  return out
}

const measure = (spans: Span[]) => spans.reduce((sum, [s, e]) => sum + (e - s), 0)
const within = (t: number, spans: Span[]) => spans.some(([s, e]) => t >= s && t <= e)
const countWithin = (times: number[], spans: Span[]) => times.filter((t) => within(t, spans)).length

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Load spans and each node's ok completion times, from the client ops of a history. */
function clientActivity(history: readonly Op[]): { load: Span[]; ok: Map<string, number[]> } {
  const spans: Span[] = []
  const ok = new Map<string, number[]>()
  const open = new Map<Process, number>()
  for (const op of history) {
    if (op.process === 'nemesis') continue
    if (op.type === 'invoke') {
      open.set(op.process, op.time)
      continue
    }
    const start = open.get(op.process)
    if (start === undefined) continue // a stray info note: no call to close
    open.delete(op.process)
    spans.push([start, op.time])
    if (op.node === undefined) continue
    if (!ok.has(op.node)) ok.set(op.node, [])
    if (op.type === 'ok') ok.get(op.node)?.push(op.time)
  }
  const end = history.length ? history[history.length - 1].time : 0
  for (const start of open.values()) spans.push([start, end])
  return { load: union(spans, LOAD_GAP_S * 1e9), ok }
}

/** Per-node ok rates inside and outside fault windows, and nodes that starved outside them. */
export function availability(history: readonly Op[], opts: { minGapS?: number } = {}): Availability {
  const minGap = (opts.minGapS ?? MIN_GAP_S) * 1e9
  const { load, ok } = clientActivity(history)
  const periods = faultPeriods(history).periods
  const windows = union(periods.map((p): Span => [p.start, p.end]))
  const inside = intersect(load, windows)
  const outside = subtract(load, windows)
  const [insideS, outsideS] = [measure(inside) / 1e9, measure(outside) / 1e9]

  const nodes: Record<string, NodeAvailability> = {}
  const nodeNames = [...ok.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  for (const node of nodeNames) {
    const times = ok.get(node) ?? []
    const [okInside, okOutside] = [countWithin(times, inside), countWithin(times, outside)]
    nodes[node] = {
      okInside,
      okOutside,
      rateInside: rate(okInside, insideS),
      rateOutside: rate(okOutside, outsideS),
    }
  }

  const perWindow = windows.map(([s, e]): WindowAvailability => {
    const w = intersect(load, [[s, e]])
    const loadS = measure(w) / 1e9
    return {
      start: seconds(s),
      end: seconds(e),
      faults: [...new Set(periods.filter((p) => p.start < e && p.end > s).map((p) => p.fault))],
      load: Math.round(loadS * 1000) / 1000,
      rate: Object.fromEntries(nodeNames.map((n) => [n, rate(countWithin(ok.get(n) ?? [], w), loadS)])),
    }
  })

  // Starvation: the longest stretch between a node's ok ops (or the load's ends), measured in
  // load time outside fault windows, against the median node's ok ops in that same time.
  const starved: Starved[] = []
  if (load.length > 0 && nodeNames.length > 0) {
    const [first, last] = [load[0][0], load[load.length - 1][1]]
    for (const node of nodeNames) {
      const times = ok.get(node) ?? []
      const bounds = [first, ...times, last]
      let worst: Starved | undefined
      for (let i = 1; i < bounds.length; i++) {
        const gap = intersect(outside, [[bounds[i - 1], bounds[i]]])
        const outsideNs = measure(gap)
        if (outsideNs < minGap || (worst && outsideNs <= worst.outside * 1e9)) continue
        const medianOk = median(nodeNames.map((n) => countWithin(ok.get(n) ?? [], gap)))
        if (medianOk < MIN_EXPECTED) continue
        worst = {
          node,
          from: seconds(bounds[i - 1]),
          to: seconds(bounds[i]),
          outside: seconds(outsideNs),
          medianOk,
        }
      }
      if (worst) starved.push(worst)
    }
  }

  return {
    load: { inside: Math.round(insideS * 1000) / 1000, outside: Math.round(outsideS * 1000) / 1000 },
    nodes,
    windows: perWindow,
    starved,
  }
}

/** One line per starved node, for explanations. */
export function describeStarved(s: Starved): string {
  return `node ${s.node} completed no ok op from ${s.from.toFixed(1)} s to ${s.to.toFixed(1)} s (${s.outside.toFixed(1)} s of load outside fault windows, in which the median node completed ${s.medianOk} ok ops)`
}
