// Turns checker results into what the report shows for them: the failing linearization (the op
// that cannot be linearized, the longest linearizable prefix, the model states tried), each
// transactional anomaly with its cycle laid out as a graph, and, for every checker, its verdict,
// explanation and full JSON. Shapes are read defensively: a result this code does not recognise
// is still shown through its explanation and JSON.
import type { CheckResult, Validity } from '../../checker/result.ts'
import { describeTs, shortTs } from '../history/commit-modes.ts'
import type { Op } from '../history/op.ts'
import { type CycleLayout, type CycleStep, layoutCycle } from './cycle-graph.ts'

/** One op as a table row. */
export interface OpRow {
  index?: number
  process?: string
  type?: string
  f?: string
  key?: string
  value: string
  time?: number
  /** The model state after this op (linearizable prefixes). */
  state?: string
}

export interface LinearizationView {
  key?: string
  explanation?: string
  op?: OpRow
  prefix: OpRow[]
  /** Length of the whole prefix when only its tail is shown. */
  prefixLength: number
  states: string[]
  initialState?: string
}

export interface AnomalyView {
  type: string
  explanation?: string
  steps: CycleStep[]
  /** T1..Tn: the history index of each txn of the cycle, its micro-ops and timestamps. */
  txns: TxnRow[]
  graph?: CycleLayout
  json: string
}

export interface TxnRow {
  name: string
  op: string
  text?: string
  /** Its transaction timestamps, as text. */
  ts?: string
}

export interface CheckerView {
  name: string
  valid: Validity
  explanation?: string
  linearization: LinearizationView[]
  anomalies: AnomalyView[]
  json: string
}

type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const pick = (o: Obj, names: string[]): unknown => names.map((n) => o[n]).find((v) => v !== undefined)
const str = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v)
const MAX_PREFIX_ROWS = 20
const MAX_JSON = 200_000

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}\n… (${s.length - max} more characters in results.json)` : s
}

/** An op, or a call {invoke, completion}, as a table row. */
export function opRow(x: unknown): OpRow | undefined {
  if (!isObj(x)) return x === undefined ? undefined : { value: str(x) ?? '' }
  if (isObj(x.op) && x.state !== undefined) return { ...opRow(x.op)!, state: str(x.state) }
  if (isObj(x.invoke)) {
    const inv = x.invoke as Obj
    const comp = isObj(x.completion) ? (x.completion as Obj) : undefined
    const row = opRow(inv)!
    return { ...row, type: comp ? String(comp.type) : 'pending', value: str(comp?.value ?? inv.value) ?? '' }
  }
  return {
    index: typeof x.index === 'number' ? x.index : undefined,
    process: x.process !== undefined ? String(x.process) : undefined,
    // The linearizable checker's OpView has completeIndex instead of a type: null = crashed.
    type:
      str(x.type) ??
      (x.completeIndex === null ? 'info' : typeof x.completeIndex === 'number' ? 'ok' : undefined),
    f: str(x.f),
    key: str(x.key),
    value: str(x.value) ?? '',
    time: typeof x.time === 'number' ? x.time : undefined,
  }
}

function linearizations(r: Obj, key?: string): LinearizationView[] {
  const out: LinearizationView[] = []
  const failures = pick(r, ['failures'])
  const single = pick(r, ['failure'])
  for (const f of [...(Array.isArray(failures) ? failures : []), ...(single ? [single] : [])]) {
    if (!isObj(f)) continue
    const prefixRaw = pick(f, ['prefix', 'longestPrefix', 'linearized'])
    const prefix = (Array.isArray(prefixRaw) ? prefixRaw : []).map(opRow).filter((x) => x !== undefined)
    const statesRaw = pick(f, ['states', 'statesTried', 'models'])
    out.push({
      key: str(f.key) || key,
      explanation: str(pick(f, ['explanation', 'message'])),
      op: opRow(pick(f, ['op', 'failingOp', 'unlinearizable'])),
      prefix: prefix.slice(-MAX_PREFIX_ROWS),
      prefixLength: prefix.length,
      initialState: str(f.initialState),
      states: (Array.isArray(statesRaw) ? statesRaw : statesRaw !== undefined ? [statesRaw] : []).map(
        (s) => str(s) ?? 'null',
      ),
    })
  }
  // Per-key results nested under the checker's result.
  const nested = pick(r, ['keys', 'perKey', 'results'])
  if (isObj(nested))
    for (const [k, v] of Object.entries(nested))
      if (isObj(v) && v.valid === false) out.push(...linearizations(v, k))
  return out
}

/** Resolves a history index to its op (a txn's micro-ops and timestamps), for labels. */
export type OpLookup = (index: number) => Op | undefined

const txnId = (t: unknown): string =>
  isObj(t) ? (str(pick(t, ['op', 'index', 'id'])) ?? '?') : (str(t) ?? '?')

/**
 * The steps of an anomaly's cycle. The elle checker gives `steps: [{from, to, type, key, value,
 * value2?, process?}]` with from/to = history indices of the txns; transactions are named
 * T1..Tn in order of first appearance, as its explanation names them.
 */
function cycleSteps(a: Obj, lookup?: OpLookup): { steps: CycleStep[]; txns: TxnRow[] } {
  const candidates = [a.steps, a.cycle, isObj(a.cycle) ? (a.cycle as Obj).steps : undefined]
  const raw = (candidates.find((c) => Array.isArray(c) && c.some(isObj)) as unknown[] | undefined) ?? []
  const steps = raw.filter(isObj)
  const names = new Map<string, string>()
  const name = (id: string) => {
    if (!names.has(id)) names.set(id, `T${names.size + 1}`)
    return names.get(id)!
  }
  for (const s of steps) name(txnId(pick(s, ['from', 'txn'])))
  const out = steps.map((s, i) => {
    const toRaw = s.to ?? pick(steps[(i + 1) % steps.length], ['from', 'txn'])
    const edge = str(pick(s, ['type', 'edge', 'rel', 'kind'])) ?? '?'
    // Timestamp order: "commit ts < start ts", shortened (the explanation has them in full).
    const value =
      edge === 'timestamp' && typeof s.value === 'string' && typeof s.value2 === 'string'
        ? `${shortTs(s.value)} < ${shortTs(s.value2)}`
        : s.value2 !== undefined
          ? `${str(s.value) ?? 'nil'} → ${str(s.value2)}`
          : str(s.value)
    return {
      from: name(txnId(pick(s, ['from', 'txn']))),
      to: name(txnId(toRaw)),
      edge,
      key: str(s.key),
      value,
    }
  })
  const txns = [...names].map(([op, n]) => {
    const found = /^\d+$/.test(op) ? lookup?.(Number(op)) : undefined
    return {
      name: n,
      op,
      text: found?.value === undefined ? undefined : str(found.value),
      ts: found?.ts ? describeTs(found.ts) : undefined,
    }
  })
  return { steps: out, txns }
}

function anomalies(r: Obj, lookup?: OpLookup): AnomalyView[] {
  const raw = pick(r, ['anomalies'])
  const list: [string | undefined, unknown][] = Array.isArray(raw)
    ? raw.map((a) => [undefined, a])
    : isObj(raw)
      ? Object.entries(raw).flatMap(([t, v]) =>
          (Array.isArray(v) ? v : [v]).map((a): [string, unknown] => [t, a]),
        )
      : []
  // The same anomaly reported twice (e.g. one cycle found from two starting edges) is shown once.
  const seen = new Set<string>()
  const unique = list.filter(([t, a]) => {
    const id = `${t}:${JSON.stringify(a)}`
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
  return unique.map(([t, a]) => {
    const o = isObj(a) ? a : { value: a }
    const { steps, txns } = cycleSteps(o, lookup)
    return {
      type: str(pick(o, ['type', 'name'])) ?? t ?? 'anomaly',
      explanation: str(pick(o, ['explanation', 'text', 'description'])),
      steps,
      txns,
      graph: steps.length ? layoutCycle(steps, new Map(txns.map((t) => [t.name, `op ${t.op}`]))) : undefined,
      json: clip(JSON.stringify(a, null, 2), 20_000),
    }
  })
}

export function checkerView(name: string, r: CheckResult, lookup?: OpLookup): CheckerView {
  return {
    name,
    valid: r.valid,
    explanation: r.explanation,
    linearization: linearizations(r),
    anomalies: anomalies(r, lookup),
    json: clip(JSON.stringify(r, null, 2), MAX_JSON),
  }
}
