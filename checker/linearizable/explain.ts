// Explanations of a failed linearizability search: structured data for reports (the op that
// cannot be linearized, the longest linearizable prefix with the state after each op, the
// states the op was tried against) and a short text for terminals and matcher messages.
import { type Model, showValue } from './model.ts'
import type { PartOp } from './prepare.ts'
import type { FailurePoint } from './search.ts'

/** One op as reports show it: history indices, process, function and value. */
export interface OpView {
  process: PartOp['process']
  f: string
  value: unknown
  key?: string
  /** History index of the invocation; of the ok completion, or null when the op crashed. */
  index: number
  completeIndex: number | null
}

export interface Failure {
  key: string
  /** The op that cannot be linearized after the longest prefix. */
  op: OpView
  /** Longest linearizable prefix, in linearized order, with the model state after each op. */
  prefix: { op: OpView; state: string }[]
  /** Initial model state (before the prefix). */
  initialState: string
  /** Model states (printed) in which the op was tried and rejected. */
  states: string[]
}

export const opView = (o: PartOp): OpView => ({
  process: o.process,
  f: o.f,
  value: o.value,
  ...(o.key !== undefined ? { key: o.key } : {}),
  index: o.invokeIndex,
  completeIndex: o.completeIndex < 0 ? null : o.completeIndex,
})

export function buildFailure(
  key: string,
  ops: PartOp[],
  point: FailurePoint,
  model: Model<unknown>,
): Failure {
  const show = (s: unknown, op?: PartOp) => (model.show ? model.show(s, op) : showValue(s))
  const failing = ops[point.op]
  return {
    key,
    op: opView(failing),
    prefix: point.prefix.map((o, i) => ({ op: opView(ops[o]), state: show(point.states[i + 1], ops[o]) })),
    initialState: show(point.states[0]),
    states: [...new Set(point.triedStates.map((s) => show(s, failing)))],
  }
}

const MAX_TEXT = 60

/** Shortens long values for a terminal line, keeping the end (where appends and changes show). */
export const clip = (s: string): string => (s.length <= MAX_TEXT ? s : `…${s.slice(-(MAX_TEXT - 1))}`)

export function describeOp(o: OpView): string {
  const done = o.completeIndex === null ? 'crashed' : `ok at ${o.completeIndex}`
  const key = o.key === undefined ? '' : ` key ${o.key}`
  return `p${o.process} ${o.f}${key} ${clip(showValue(o.value))} (invoked at ${o.index}, ${done})`
}

const SHOWN_PREFIX = 5
const SHOWN_STATES = 3

/** A few lines a terminal can show: where the search got stuck and why. */
export function failureText(f: Failure, modelName: string): string {
  const where = f.key === '' ? '' : `key ${f.key}: `
  const lines = [
    `${where}not linearizable (model ${modelName}): ${describeOp(f.op)} cannot be linearized`,
    f.states.length > 0
      ? `  it was tried against state${f.states.length > 1 ? 's' : ''} ${f.states.slice(0, SHOWN_STATES).map(clip).join(', ')}${f.states.length > SHOWN_STATES ? ` and ${f.states.length - SHOWN_STATES} more` : ''}`
      : '  every state reachable at that point was already explored',
    `  longest linearizable prefix: ${f.prefix.length} op${f.prefix.length === 1 ? '' : 's'} from initial state ${f.initialState}${f.prefix.length > SHOWN_PREFIX ? ', ending' : ''}${f.prefix.length > 0 ? ':' : ''}`,
  ]
  for (const p of f.prefix.slice(-SHOWN_PREFIX)) lines.push(`    ${describeOp(p.op)} -> ${clip(p.state)}`)
  return lines.join('\n')
}
