// Views of a history that every checker needs: invocations paired with their completions,
// per-key sub-histories for independent workloads, per-process views, and the structural
// checks of DESIGN §3 (each invoke completed at most once, info retires a process, dense
// indices, monotonic times).
import type { Op, Process } from './op.ts'

/** One client operation: its invocation and, unless the history ended first, its completion. */
export interface Call<V = unknown> {
  invoke: Op<V>
  /** ok / fail / info; undefined when the history ended before the op completed. */
  completion?: Op<V>
}

/** The value an op ended with: the completion's when it has one (reads), else the invocation's. */
export function callValue<V>(c: Call<V>): V | undefined {
  return c.completion?.type === 'ok' && c.completion.value !== undefined ? c.completion.value : c.invoke.value
}

/** Pairs each client invocation with its completion (nemesis ops are skipped). */
export function pairCalls<V = unknown>(history: readonly Op<V>[]): Call<V>[] {
  const calls: Call<V>[] = []
  const open = new Map<Process, Call<V>>()
  for (const op of history) {
    if (op.process === 'nemesis') continue
    if (op.type === 'invoke') {
      const prev = open.get(op.process)
      if (prev)
        throw new Error(
          `op ${op.index}: process ${op.process} invoked ${op.f} while its op ${prev.invoke.index} (${prev.invoke.f}) is still open`,
        )
      const call: Call<V> = { invoke: op }
      open.set(op.process, call)
      calls.push(call)
    } else {
      const call = open.get(op.process)
      if (!call) {
        // Jepsen logs info ops for processes with no open call (e.g. a crashed client's note): skip.
        if (op.type === 'info') continue
        throw new Error(
          `op ${op.index}: ${op.type} ${op.f} for process ${op.process}, which has no open invocation`,
        )
      }
      call.completion = op
      open.delete(op.process)
    }
  }
  return calls
}

/** Splits a history by `key` (ops without a key go under ""), keeping file order. Nemesis ops are dropped. */
export function byKey<V>(history: readonly Op<V>[]): Map<string, Op<V>[]> {
  const out = new Map<string, Op<V>[]>()
  for (const op of history) {
    if (op.process === 'nemesis') continue
    const k = op.key ?? ''
    let list = out.get(k)
    if (!list) {
      list = []
      out.set(k, list)
    }
    list.push(op)
  }
  return out
}

export function byProcess<V>(history: readonly Op<V>[]): Map<Process, Op<V>[]> {
  const out = new Map<Process, Op<V>[]>()
  for (const op of history) {
    let list = out.get(op.process)
    if (!list) {
      list = []
      out.set(op.process, list)
    }
    list.push(op)
  }
  return out
}

/**
 * Checks the structural contract of a history the runner recorded (DESIGN §3). Returns a list
 * of problems, empty when the history is well formed. With `complete`, every invoke must have
 * its completion (true of every history the runner finished).
 */
export function historyProblems(history: readonly Op[], opts: { complete?: boolean } = {}): string[] {
  const problems: string[] = []
  const open = new Map<Process, Op>()
  const retired = new Set<Process>()
  let lastTime = Number.NEGATIVE_INFINITY
  history.forEach((op, i) => {
    if (op.index !== i)
      problems.push(`op at position ${i} has index ${op.index} (indices must be dense from 0)`)
    if (op.time < lastTime) problems.push(`op ${op.index}: time ${op.time} goes back from ${lastTime}`)
    lastTime = Math.max(lastTime, op.time)
    if (op.process === 'nemesis') return
    if (retired.has(op.process))
      problems.push(`op ${op.index}: process ${op.process} acts after an info retired it`)
    if (op.type === 'invoke') {
      if (open.has(op.process))
        problems.push(`op ${op.index}: process ${op.process} invoked twice without completing`)
      open.set(op.process, op)
    } else {
      const inv = open.get(op.process)
      if (!inv)
        problems.push(`op ${op.index}: ${op.type} without an open invocation for process ${op.process}`)
      else if (inv.f !== op.f)
        problems.push(`op ${op.index}: completes ${inv.f} (op ${inv.index}) with f=${op.f}`)
      open.delete(op.process)
      if (op.type === 'info') retired.add(op.process)
    }
  })
  if (opts.complete)
    for (const [p, inv] of open) problems.push(`op ${inv.index}: invocation by process ${p} never completed`)
  return problems
}
