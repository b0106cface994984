// Set checker with Jepsen's set-full semantics (DESIGN §9): clients add unique integers and read
// the whole set. For every element it finds when the element became known (its add completed ok,
// or a read first showed it), and classifies it against the reads that began after that:
//   stable     present in every such read from some point on
//   lost       a read after it was known missed it and no later read showed it again
//   stale      some read after it was known missed it, but a later read showed it (linearizable
//              sets forbid this)
//   never-read no read began after it was known
// plus `unexpected` elements that a read returned but nobody ever tried to add.
// Order comes from history indices (invocations and completions), never from wall clocks.
import type { Op } from '../lib/history/op.ts'
import { pairCalls } from '../lib/history/pairs.ts'
import type { CheckResult } from './result.ts'

export interface SetFullOptions {
  /** Treat stale reads as errors (a linearizable set). Default false. */
  linearizable?: boolean
}

interface Read {
  invoke: number
  complete: number
  values: Set<number>
}

export interface SetFullResult extends CheckResult {
  attempted: number
  acknowledged: number
  stable: number
  lost: number[]
  stale: number[]
  neverRead: number[]
  unexpected: number[]
  reads: number
}

const sample = (xs: number[], n = 10) =>
  xs.length > n ? `${xs.slice(0, n).join(', ')}, … (${xs.length} in all)` : xs.join(', ')

export function checkSetFull(history: readonly Op[], opts: SetFullOptions = {}): SetFullResult {
  const addInvoked = new Map<number, number>()
  const addOk = new Map<number, number>()
  const reads: Read[] = []
  for (const c of pairCalls(history)) {
    if (c.invoke.f === 'add') {
      const v = c.invoke.value
      if (typeof v !== 'number')
        throw new Error(`op ${c.invoke.index}: add value must be a number, got ${JSON.stringify(v)}`)
      if (addInvoked.has(v))
        throw new Error(
          `op ${c.invoke.index}: element ${v} is added twice; set workloads need unique elements`,
        )
      addInvoked.set(v, c.invoke.index)
      if (c.completion?.type === 'ok') addOk.set(v, c.completion.index)
    } else if (c.invoke.f === 'read' && c.completion?.type === 'ok') {
      const v = c.completion.value
      if (!Array.isArray(v))
        throw new Error(`op ${c.completion.index}: read value must be an array, got ${JSON.stringify(v)}`)
      reads.push({ invoke: c.invoke.index, complete: c.completion.index, values: new Set(v as number[]) })
    }
  }

  // When each element became known: its ok completion, or the completion of the first read showing it.
  const known = new Map<number, number>(addOk)
  const unexpected = new Set<number>()
  for (const r of [...reads].sort((a, b) => a.complete - b.complete))
    for (const v of r.values) {
      if (!addInvoked.has(v)) unexpected.add(v)
      else if ((known.get(v) ?? Number.POSITIVE_INFINITY) > r.complete) known.set(v, r.complete)
    }

  const byInvoke = [...reads].sort((a, b) => a.invoke - b.invoke)
  const lost: number[] = []
  const stale: number[] = []
  const neverRead: number[] = []
  let stable = 0
  for (const [v, k] of known) {
    let sawAfter = false
    let missed = false
    let lastPresent = -1
    let lastAbsent = -1
    for (const r of byInvoke) {
      if (r.invoke < k) continue
      sawAfter = true
      if (r.values.has(v)) lastPresent = r.invoke
      else {
        missed = true
        lastAbsent = r.invoke
      }
    }
    if (!sawAfter) neverRead.push(v)
    else if (lastAbsent > lastPresent) lost.push(v)
    else if (missed) stale.push(v)
    else stable++
  }
  const sort = (xs: Iterable<number>) => [...xs].sort((a, b) => a - b)
  const res = {
    lost: sort(lost),
    stale: sort(stale),
    neverRead: sort(neverRead),
    unexpected: sort(unexpected),
  }
  const problems: string[] = []
  if (reads.length === 0) problems.push('no read completed, so nothing can be said about the set')
  if (res.lost.length)
    problems.push(
      `lost ${res.lost.length} element(s) after they were acknowledged or read: ${sample(res.lost)}`,
    )
  if (res.unexpected.length)
    problems.push(`reads returned ${res.unexpected.length} element(s) never added: ${sample(res.unexpected)}`)
  if (opts.linearizable && res.stale.length)
    problems.push(
      `${res.stale.length} element(s) missing from reads that began after they were known (stale reads): ${sample(res.stale)}`,
    )
  const valid = reads.length === 0 ? 'unknown' : problems.length === 0
  return {
    checker: opts.linearizable ? 'set-full (linearizable)' : 'set-full',
    valid,
    explanation:
      problems.length > 0
        ? problems.join('; ')
        : `${stable} element(s) stable across ${reads.length} reads${res.stale.length ? `, ${res.stale.length} seen late (stale reads allowed)` : ''}${res.neverRead.length ? `, ${res.neverRead.length} never read` : ''}`,
    attempted: addInvoked.size,
    acknowledged: addOk.size,
    stable,
    reads: reads.length,
    ...res,
  }
}
