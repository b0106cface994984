// Monotonic checker (the `monotonic` workload, after TiDB's Jepsen suite): counters that only
// ever grow by one per committed increment, checked in the transactions' timestamp order
// (DESIGN §3 `ts`). An `inc` completes with the new value of each counter it incremented and
// its commit ts; a `read` with the value of every counter at its start ts. Under snapshot
// isolation with timestamps:
// - duplicate-increment: two committed increments wrote the same value (a lost update);
// - increment-order: a counter's values do not grow with the commit ts of their increments;
// - stale-read: a read saw a value lower than one committed before its start ts;
// - future-read: a read saw the value of an increment committed after its start ts;
// - nonmonotonic-read: a read that started later saw a lower value than an earlier one;
// - impossible-read: a read saw more increments than could have committed (needs no ts).
// Without timestamps only the last and the first can be checked, so the verdict is "unknown".
import type { Op } from '../lib/history/op.ts'
import { type Call, pairCalls } from '../lib/history/pairs.ts'
import { entry } from './elle/entry.ts'
import type { CheckResult, Validity } from './result.ts'

/** At most this many instances of each anomaly type are kept in a result. */
const KEEP_PER_TYPE = 20

export interface MonotonicAnomaly {
  type:
    | 'duplicate-increment'
    | 'increment-order'
    | 'stale-read'
    | 'future-read'
    | 'nonmonotonic-read'
    | 'impossible-read'
  explanation: string
  counter: string
  /** History indices of the completions involved. */
  ops: number[]
}

export interface MonotonicResult extends CheckResult {
  anomalyTypes: string[]
  anomalies: Record<string, MonotonicAnomaly[]>
  counts: Record<string, number>
  problems?: string[]
  stats: { increments: number; reads: number; timestamped: number; counters: number }
}

/** A committed increment of one counter. */
interface Write {
  op: number
  value: number
  commit?: bigint
}

/** One counter's value seen by a read. */
interface Seen {
  op: number
  value: number
  start?: bigint
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const ts = (s: string | undefined): bigint | undefined => (s === undefined ? undefined : BigInt(s))

/** Counter -> value maps of ok completions; a problem for anything else. */
function counts(c: Call, problems: string[]): Record<string, number> | undefined {
  const v = c.completion?.value
  const bad =
    v === null || typeof v !== 'object' || Array.isArray(v) || !Object.values(v as object).every(isCount)
  if (!bad) return v as Record<string, number>
  problems.push(
    `op ${c.completion?.index}: ${c.invoke.f} must complete with {counter: non-negative integer}, got ${JSON.stringify(v)}`,
  )
  return undefined
}

export function checkMonotonic(history: readonly Op[]): MonotonicResult {
  const problems: string[] = []
  const writes = new Map<string, Write[]>()
  const reads = new Map<string, Seen[]>()
  /** Increments per counter that may have committed (ok, info, or never completed). */
  const attempts = new Map<string, number>()
  let increments = 0
  let readCount = 0
  let timestamped = 0
  for (const c of pairCalls(history)) {
    const done = c.completion
    if (done?.ts) timestamped++
    if (done?.ts && !/^\d+$/.test(done.ts.start + (done.ts.commit ?? '')))
      problems.push(`op ${done.index}: timestamps must be decimal integer strings`)
    if (c.invoke.f === 'inc') {
      if (done?.type === 'fail') continue
      for (const k of Array.isArray(c.invoke.value) ? c.invoke.value : [])
        attempts.set(String(k), (attempts.get(String(k)) ?? 0) + 1)
      if (done?.type !== 'ok') continue
      increments++
      const values = counts(c, problems)
      for (const [k, value] of Object.entries(values ?? {}))
        entry(writes, k, () => []).push({ op: done.index, value, commit: ts(done.ts?.commit) })
    } else if (c.invoke.f === 'read') {
      if (done?.type !== 'ok') continue
      readCount++
      const values = counts(c, problems)
      for (const [k, value] of Object.entries(values ?? {}))
        entry(reads, k, () => []).push({ op: done.index, value, start: ts(done.ts?.start) })
    } else problems.push(`op ${c.invoke.index}: f is ${JSON.stringify(c.invoke.f)}; expected "inc" or "read"`)
  }
  const stats = {
    increments,
    reads: readCount,
    timestamped,
    counters: new Set([...writes.keys(), ...reads.keys()]).size,
  }
  if (problems.length > 0)
    return verdict(
      [],
      stats,
      `cannot check this monotonic history: ${problems.slice(0, 5).join('; ')}`,
      problems,
    )

  const found: MonotonicAnomaly[] = []
  for (const [k, ws] of writes) found.push(...incrementAnomalies(k, ws))
  for (const [k, rs] of reads) found.push(...readAnomalies(k, rs, writes.get(k) ?? [], attempts.get(k) ?? 0))
  const ordered = [...writes.values()].flat().some((w) => w.commit !== undefined)
  const started = [...reads.values()].flat().some((r) => r.start !== undefined)
  const unchecked = !ordered
    ? 'no committed increment carries a commit timestamp'
    : !started
      ? 'no read carries a start timestamp'
      : undefined
  return verdict(found, stats, unchecked && `cannot order the history: ${unchecked} (DESIGN §3 ts)`)
}

const byTs =
  <T>(at: (x: T) => bigint | undefined) =>
  (a: T, b: T) => {
    const x = at(a)!
    const y = at(b)!
    return x < y ? -1 : x > y ? 1 : 0
  }

function incrementAnomalies(k: string, ws: Write[]): MonotonicAnomaly[] {
  const out: MonotonicAnomaly[] = []
  const byValue = new Map<number, Write>()
  for (const w of ws) {
    const other = byValue.get(w.value)
    if (other)
      out.push({
        type: 'duplicate-increment',
        counter: k,
        ops: [other.op, w.op],
        explanation: `op ${other.op} and op ${w.op} both committed counter ${k} = ${w.value}: one increment was lost`,
      })
    else byValue.set(w.value, w)
  }
  const timed = ws.filter((w) => w.commit !== undefined).sort(byTs((w) => w.commit))
  for (let i = 1; i < timed.length; i++) {
    const [a, b] = [timed[i - 1], timed[i]]
    if (b.value > a.value) continue
    out.push({
      type: 'increment-order',
      counter: k,
      ops: [a.op, b.op],
      explanation: `op ${a.op} committed counter ${k} = ${a.value} at ts ${a.commit}, yet op ${b.op}, committed later at ts ${b.commit}, wrote ${b.value}`,
    })
  }
  return out
}

function readAnomalies(k: string, rs: Seen[], ws: Write[], attempts: number): MonotonicAnomaly[] {
  const out: MonotonicAnomaly[] = []
  const writer = new Map<number, Write>()
  for (const w of ws) writer.set(w.value, writer.has(w.value) ? { ...w, commit: undefined } : w)
  // Committed increments by commit ts, with the highest value committed so far at each.
  const timed = ws.filter((w) => w.commit !== undefined).sort(byTs((w) => w.commit))
  const highest: Write[] = []
  for (const w of timed)
    highest.push(highest.length && highest.at(-1)!.value >= w.value ? highest.at(-1)! : w)
  /** The highest-valued increment committed before `start` (binary search). */
  const committedBefore = (start: bigint): Write | undefined => {
    let lo = 0
    let hi = timed.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (timed[mid].commit! < start) lo = mid + 1
      else hi = mid
    }
    return lo > 0 ? highest[lo - 1] : undefined
  }
  for (const r of rs) {
    if (r.value > attempts)
      out.push({
        type: 'impossible-read',
        counter: k,
        ops: [r.op],
        explanation: `op ${r.op} read counter ${k} = ${r.value}, but only ${attempts} increments of it may have committed`,
      })
    if (r.start === undefined) continue
    const before = committedBefore(r.start)
    if (before && r.value < before.value)
      out.push({
        type: 'stale-read',
        counter: k,
        ops: [before.op, r.op],
        explanation: `op ${before.op} committed counter ${k} = ${before.value} at ts ${before.commit}, before op ${r.op} started at ts ${r.start}, yet op ${r.op} read ${k} = ${r.value}`,
      })
    const w = writer.get(r.value)
    if (w?.commit !== undefined && w.commit > r.start)
      out.push({
        type: 'future-read',
        counter: k,
        ops: [w.op, r.op],
        explanation: `op ${r.op} started at ts ${r.start} and read counter ${k} = ${r.value}, which op ${w.op} committed only later, at ts ${w.commit}`,
      })
  }
  // Reads by start ts: each must see at least what every read that started earlier saw.
  const timedReads = rs.filter((r) => r.start !== undefined).sort(byTs((r) => r.start))
  let most: Seen | undefined
  let mostBefore: Seen | undefined
  for (let i = 0; i < timedReads.length; i++) {
    const r = timedReads[i]
    if (i > 0 && timedReads[i - 1].start! < r.start!) mostBefore = most
    if (mostBefore && r.value < mostBefore.value)
      out.push({
        type: 'nonmonotonic-read',
        counter: k,
        ops: [mostBefore.op, r.op],
        explanation: `op ${mostBefore.op} read counter ${k} = ${mostBefore.value} at ts ${mostBefore.start}, yet op ${r.op}, which started later at ts ${r.start}, read ${r.value}`,
      })
    if (!most || r.value > most.value) most = r
  }
  return out
}

function verdict(
  found: MonotonicAnomaly[],
  stats: MonotonicResult['stats'],
  unknown?: string,
  problems?: string[],
): MonotonicResult {
  const anomalies: Record<string, MonotonicAnomaly[]> = {}
  const counts: Record<string, number> = {}
  for (const a of found) {
    anomalies[a.type] ??= []
    if (anomalies[a.type].length < KEEP_PER_TYPE) anomalies[a.type].push(a)
    counts[a.type] = (counts[a.type] ?? 0) + 1
  }
  const anomalyTypes = Object.keys(anomalies).sort()
  const valid: Validity = anomalyTypes.length > 0 ? false : unknown ? 'unknown' : true
  const explanation =
    valid === false
      ? [
          `counters not monotonic in timestamp order: ${anomalyTypes.map((t) => `${t} (${counts[t]})`).join(', ')}`,
          ...anomalyTypes.map((t) => anomalies[t][0].explanation),
        ].join('\n')
      : unknown
  return {
    checker: 'monotonic',
    valid,
    ...(explanation ? { explanation } : {}),
    anomalyTypes,
    anomalies,
    counts,
    ...(problems ? { problems } : {}),
    stats,
  }
}
