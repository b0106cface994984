// Turns a history into the independent search problems of the linearizability checker:
// pairs invocations with completions, drops `fail` calls (they did not happen), fills read
// results from ok completions, keeps crashed calls (info or never completed) as optional
// calls whose return lies after every other event, drops crashed read-only calls (they can
// neither fail nor change anything), and splits the history by `key` and by the model's own
// partition function (P-compositionality). Real-time order is the history order (index).
import type { Op, Process } from '../../lib/history/op.ts'
import { byKey, callValue, pairCalls } from '../../lib/history/pairs.ts'
import type { Model, ModelOp } from './model.ts'

export interface PartOp extends ModelOp {
  process: Process
  /** History index of the invocation and of the ok completion (-1 when crashed). */
  invokeIndex: number
  completeIndex: number
}

/** One independent search problem, plain data so it can be posted to a worker thread. */
export interface Part {
  /** Partition key (history `key`, then the model's partition), "" when none. */
  key: string
  ops: PartOp[]
  /** Event order: `2*i` is op i's call, `2*i+1` its return; crashed ops' returns come last. */
  events: Int32Array
}

export function prepareParts(history: readonly Op[], model: Model<unknown>, split = true): Part[] {
  const groups = split ? byKey(history) : new Map([['', history.filter((o) => o.process !== 'nemesis')]])
  const parts: Part[] = []
  for (const [key, ops] of groups) {
    const byPart = new Map<string, PartOp[]>()
    for (const call of pairCalls(ops)) {
      const c = call.completion
      if (c?.type === 'fail') continue
      const inv = call.invoke
      if (!model.fs.includes(inv.f))
        throw new Error(
          `op ${inv.index}: f '${inv.f}' is not an operation of model ${model.name} (allowed: ${model.fs.join(', ')})`,
        )
      const op: PartOp = {
        f: inv.f,
        value: callValue(call),
        process: inv.process,
        invokeIndex: inv.index,
        completeIndex: c?.type === 'ok' ? c.index : -1,
      }
      if (inv.key !== undefined) op.key = inv.key
      if (op.completeIndex < 0 && model.readOnly?.(op)) continue
      const sub = split && model.partition ? model.partition(op) : ''
      const p = sub === '' || sub === key ? key : key === '' ? sub : `${key}/${sub}`
      const list = byPart.get(p)
      if (list) list.push(op)
      else byPart.set(p, [op])
    }
    for (const [k, list] of byPart) parts.push({ key: k, ops: list, events: eventOrder(list) })
  }
  return parts
}

function eventOrder(ops: PartOp[]): Int32Array {
  const timed: [number, number][] = []
  const crashed: number[] = []
  ops.forEach((op, i) => {
    timed.push([op.invokeIndex, 2 * i])
    if (op.completeIndex >= 0) timed.push([op.completeIndex, 2 * i + 1])
    else crashed.push(2 * i + 1)
  })
  timed.sort((a, b) => a[0] - b[0])
  return Int32Array.from([...timed.map((t) => t[1]), ...crashed])
}
