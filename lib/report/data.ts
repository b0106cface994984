// The data a report draws, computed once in Node and embedded in report.html as JSON: client
// calls in compact columns (for the canvas timeline and the latency scatter), latency quantiles
// and throughput per time bucket, and the fault periods that every plot shades.
import { describeTs } from '../history/commit-modes.ts'
import { type FaultPeriod, faultPeriods, type NemesisEvent } from '../history/fault-periods.ts'
import type { Op } from '../history/op.ts'
import { callValue, pairCalls } from '../history/pairs.ts'

/** Completion kinds, as the small integers the `y` column holds. */
export const CALL_TYPES = ['ok', 'fail', 'info', 'pending'] as const

export interface TimelineData {
  /** Row labels, top to bottom. */
  rows: string[]
  /** Distinct `f` names; `f` column holds indices into it. */
  fs: string[]
  /** One entry per client call, in columns. Times in ms since test start. */
  row: number[]
  start: number[]
  /** Completion time; for a call that never completed, the end of the history. */
  end: number[]
  /** Index into CALL_TYPES. */
  type: number[]
  f: number[]
  process: number[]
  /** The op's value (completion's for ok reads) and error, as short JSON text. */
  text: string[]
  /** The completion's transaction timestamps as text ("" when it has none). */
  ts: string[]
  /** History index of each call's invocation. */
  index: number[]
}

export interface PerfData {
  /** Bucket width, seconds. */
  bucket: number
  /** Bucket start times, seconds. */
  t: number[]
  /** Latency quantiles of the calls completing in each bucket, ms (null when none). */
  quantiles: Record<'p50' | 'p95' | 'p99' | 'max', (number | null)[]>
  /** Completions per second in each bucket, by completion type. */
  rate: Record<'ok' | 'fail' | 'info', number[]>
}

export interface ReportData {
  /** Duration of the history, ms. */
  duration: number
  timeline: TimelineData
  perf: PerfData
  periods: (Omit<FaultPeriod, 'start' | 'end'> & { start: number; end: number })[]
  events: (Omit<NemesisEvent, 'time'> & { time: number })[]
  /** Calls a checker singled out (e.g. the op that cannot be linearized), to highlight. */
  marks: { call: number; index: number; label: string }[]
}

const ms = (ns: number) => Math.round(ns / 1e3) / 1e3
const TEXT_MAX = 80

function shortText(v: unknown, error?: string): string {
  let s = v === undefined ? '' : JSON.stringify(v)
  if (s.length > TEXT_MAX) s = `${s.slice(0, TEXT_MAX - 1)}…`
  return error ? `${s} (${error.slice(0, TEXT_MAX)})` : s
}

/**
 * Rows of the timeline: one per worker when the concurrency is known (a worker's processes never
 * overlap in time: process p+c takes over after p crashed), else one per process.
 */
function rowOf(concurrency: number | undefined): (p: number) => number {
  return concurrency && concurrency > 0 ? (p) => p % concurrency : (p) => p
}

/** A round bucket width giving about `target` buckets over `seconds`. */
export function bucketWidth(seconds: number, target = 200): number {
  const raw = Math.max(seconds / target, 1e-3)
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10
  return step * pow
}

/** The q-quantile of a sorted array (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

export interface ReportDataOptions {
  concurrency?: number
  /** History indices (of an invocation or a completion) to highlight, with a label each. */
  marks?: { index: number; label: string }[]
}

export function reportData(history: readonly Op[], opts: ReportDataOptions = {}): ReportData {
  const duration = history.length ? ms(history[history.length - 1].time) : 0
  const calls = pairCalls(history)
  const rowFor = rowOf(opts.concurrency)
  const rowIds = [...new Set(calls.map((c) => rowFor(c.invoke.process as number)))].sort((a, b) => a - b)
  const rowIndex = new Map(rowIds.map((r, i) => [r, i]))
  const fs: string[] = []
  const fIndex = new Map<string, number>()
  const tl: TimelineData = {
    rows: rowIds.map((r) => (opts.concurrency ? `worker ${r}` : `process ${r}`)),
    fs,
    row: [],
    start: [],
    end: [],
    type: [],
    f: [],
    process: [],
    text: [],
    ts: [],
    index: [],
  }
  const callOf = new Map<number, number>()
  for (const c of calls) {
    const p = c.invoke.process as number
    let fi = fIndex.get(c.invoke.f)
    if (fi === undefined) {
      fi = fs.push(c.invoke.f) - 1
      fIndex.set(c.invoke.f, fi)
    }
    const kind = c.completion ? c.completion.type : 'pending'
    tl.row.push(rowIndex.get(rowFor(p))!)
    tl.start.push(ms(c.invoke.time))
    tl.end.push(c.completion ? ms(c.completion.time) : duration)
    tl.type.push(CALL_TYPES.indexOf(kind as (typeof CALL_TYPES)[number]))
    tl.f.push(fi)
    tl.process.push(p)
    const key = c.invoke.key !== undefined ? `key ${c.invoke.key}: ` : ''
    tl.text.push(key + shortText(callValue(c), c.completion?.error))
    tl.ts.push(c.completion?.ts ? describeTs(c.completion.ts) : '')
    tl.index.push(c.invoke.index)
    callOf.set(c.invoke.index, tl.index.length - 1)
    if (c.completion) callOf.set(c.completion.index, tl.index.length - 1)
  }
  const { periods, events } = faultPeriods(history)
  return {
    duration,
    timeline: tl,
    perf: perf(tl, duration),
    periods: periods.map((p) => ({ ...p, start: ms(p.start), end: ms(p.end) })),
    events: events.map((e) => ({ ...e, time: ms(e.time) })),
    marks: (opts.marks ?? []).flatMap((m) => {
      const call = callOf.get(m.index)
      return call === undefined ? [] : [{ call, index: m.index, label: m.label }]
    }),
  }
}

function perf(tl: TimelineData, durationMs: number): PerfData {
  const bucket = bucketWidth(durationMs / 1000)
  const n = Math.max(1, Math.ceil(durationMs / 1000 / bucket))
  const lat: number[][] = Array.from({ length: n }, () => [])
  const rate = { ok: new Array(n).fill(0), fail: new Array(n).fill(0), info: new Array(n).fill(0) }
  for (let i = 0; i < tl.start.length; i++) {
    const kind = CALL_TYPES[tl.type[i]]
    if (kind === 'pending') continue
    const b = Math.min(n - 1, Math.floor(tl.end[i] / 1000 / bucket))
    rate[kind][b] += 1 / bucket
    if (kind === 'ok') lat[b].push(tl.end[i] - tl.start[i])
  }
  const quantiles: PerfData['quantiles'] = { p50: [], p95: [], p99: [], max: [] }
  for (const l of lat) {
    l.sort((a, b) => a - b)
    quantiles.p50.push(l.length ? quantile(l, 0.5) : null)
    quantiles.p95.push(l.length ? quantile(l, 0.95) : null)
    quantiles.p99.push(l.length ? quantile(l, 0.99) : null)
    quantiles.max.push(l.length ? l[l.length - 1] : null)
  }
  return { bucket, t: lat.map((_, i) => i * bucket), quantiles, rate }
}
