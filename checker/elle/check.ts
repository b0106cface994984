// The transactional consistency check: transactions -> workload inference (non-cycle anomalies
// and ww/wr/rw edges) -> process/realtime edges as the models need, timestamp-order edges when
// asked -> cycle search -> anomalies named and explained, the models they rule out, and the
// verdict for the requested models.

import type { Op } from '../../lib/history/op.ts'
import type { CheckResult, Validity } from '../result.ts'
import { findCycles } from './cycles.ts'
import { entry } from './entry.ts'
import { explainCycle } from './explain.ts'
import { EdgeList, Graph, processEdges, realtimePairs, timestampPairs } from './graph.ts'
import { inferListAppend } from './list-append.ts'
import { isRelevant, MODELS, needsEdges, ruledOut, unknownModels } from './models.ts'
import { inferRwRegister } from './rw-register.ts'
import { collectTxns } from './txns.ts'
import type { Anomaly, CheckOptions, CycleStep, Txn, Workload } from './types.ts'
import { LABEL_NAMES, PROCESS, REALTIME, TIMESTAMP } from './types.ts'

/** Anomalies that make a verdict "unknown" rather than false. */
const UNKNOWN_TYPES = new Set(['empty-transaction-graph', 'cycle-search-timeout'])
/** At most this many instances of each anomaly type are kept in a result. */
const KEEP_PER_TYPE = 20

export interface ConsistencyResult extends CheckResult {
  workload: Workload
  models: string[]
  /** Sorted names of the anomalies reported (relevant to the requested models or anomalies). */
  anomalyTypes: string[]
  /** Reported anomalies by type (the first few of each); cycles carry `cycle` and `steps`. */
  anomalies: Record<string, Anomaly[]>
  /** How many of each reported type were found. */
  counts: Record<string, number>
  /** Anomaly types found but not relevant to the request (they still rule models out). */
  unreported: string[]
  /** The weakest models the history violates, and the stronger ones that follow. */
  not: string[]
  alsoNot: string[]
  problems?: string[]
  /** `timestamped`: txns whose completion carries timestamps (DESIGN §3 `ts`). */
  stats: { txns: number; edges: number; timestamped: number }
}

export function checkConsistency(history: readonly Op[], opts: CheckOptions = {}): ConsistencyResult {
  const models = opts.models === null ? [] : (opts.models ?? ['strict-serializable'])
  const bad = unknownModels(models)
  if (bad.length > 0)
    throw new Error(`unknown consistency model ${bad.join(', ')}; expected one of: ${MODELS.join(', ')}`)
  const anomaliesAsked = opts.anomalies ?? []
  const { workload, txns, problems } = collectTxns(history, opts.workload)
  const timestamped = txns.reduce((n, t) => n + (t.ts === undefined ? 0 : 1), 0)
  const base = { checker: workload, workload, models, stats: { txns: txns.length, edges: 0, timestamped } }
  const inference =
    problems.length > 0
      ? undefined
      : workload === 'list-append'
        ? inferListAppend(txns)
        : inferRwRegister(txns, opts)
  problems.push(...(inference?.problems ?? []))
  if (!inference || problems.length > 0) return cannotCheck(base, problems)

  const timestampOrder = opts.timestampOrder ?? false
  const need = needsEdges(models, anomaliesAsked, timestampOrder)
  // Valid generated histories have about 4 dependency and 7 realtime (or timestamp) edges per txn.
  const edges = new EdgeList((5 + (need.realtime ? 7 : 0) + (need.timestamp ? 7 : 0)) * txns.length)
  inference.edges(edges.add)
  if (need.process) processEdges(txns, edges.add)
  if (need.realtime) realtimePairs(txns, edges.add)
  if (need.timestamp) problems.push(...timestampPairs(txns, edges.add))
  if (problems.length > 0) return cannotCheck(base, problems)
  const graph = new Graph(txns.length, edges)
  base.stats.edges = graph.edgeCount

  const found: Anomaly[] = [...inference.anomalies]
  const variants = [
    ...(need.realtime ? [REALTIME] : need.process ? [PROCESS] : []),
    ...(need.timestamp ? [TIMESTAMP] : []),
  ]
  const search = findCycles(graph, variants, opts)
  for (const c of search.cycles) {
    const steps = c.labels.map((label, i) =>
      cycleStep(txns[c.nodes[i]], txns[c.nodes[i + 1]], label, inference.explainStep),
    )
    found.push({
      type: c.type,
      cycle: c.nodes.map((n) => txns[n].op),
      steps,
      explanation: explainCycle(c.type, steps, workload),
    })
  }
  for (const t of search.timedOut)
    found.push({
      type: 'cycle-search-timeout',
      ...t,
      explanation: `${t.sccSize} transactions form a cycle in the dependency graph, but the search for ${t.search} cycles among them ran out of time: the cycle was not extracted or classified`,
    })
  if (graph.edgeCount === 0)
    found.push({
      type: 'empty-transaction-graph',
      explanation:
        'no dependency, process, realtime or timestamp edges link any two transactions, so nothing can be checked',
    })
  return verdict(base, found, anomaliesAsked, timestampOrder)
}

type Base = Pick<ConsistencyResult, 'checker' | 'workload' | 'models' | 'stats'>

/** The verdict for a history whose input problems (shapes, duplicate writes, timestamps) stop the check. */
function cannotCheck(base: Base, problems: string[]): ConsistencyResult {
  return {
    ...base,
    valid: 'unknown',
    explanation: `cannot check this ${base.workload} history: ${problems.join('; ')}`,
    problems,
    anomalyTypes: [],
    anomalies: {},
    counts: {},
    unreported: [],
    not: [],
    alsoNot: [],
  }
}

function cycleStep(
  from: Txn,
  to: Txn,
  label: number,
  explain: (from: Txn, to: Txn, label: number) => CycleStep | undefined,
): CycleStep {
  if (label === PROCESS) return { from: from.op, to: to.op, type: 'process', process: from.process }
  if (label === REALTIME) return { from: from.op, to: to.op, type: 'realtime' }
  if (label === TIMESTAMP)
    return { from: from.op, to: to.op, type: 'timestamp', value: from.ts?.commit, value2: to.ts?.start }
  return (
    explain(from, to, label) ?? { from: from.op, to: to.op, type: LABEL_NAMES[label] as CycleStep['type'] }
  )
}

function verdict(
  base: Base,
  found: Anomaly[],
  anomaliesAsked: readonly string[],
  timestampOrder: boolean,
): ConsistencyResult {
  const byType = new Map<string, Anomaly[]>()
  for (const a of found) {
    const list = entry(byType, a.type, () => [])
    list.push(a)
  }
  const reported = [...byType.keys()]
    .filter((t) => UNKNOWN_TYPES.has(t) || isRelevant(t, base.models, anomaliesAsked, timestampOrder))
    .sort()
  const { not, alsoNot } = ruledOut(
    [...byType.keys()].filter((t) => !UNKNOWN_TYPES.has(t)),
    timestampOrder,
  )
  const valid: Validity = reported.some((t) => !UNKNOWN_TYPES.has(t))
    ? false
    : reported.length > 0
      ? 'unknown'
      : true
  const anomalies: Record<string, Anomaly[]> = {}
  const counts: Record<string, number> = {}
  for (const t of reported) {
    anomalies[t] = byType.get(t)!.slice(0, KEEP_PER_TYPE)
    counts[t] = byType.get(t)!.length
  }
  const asked = base.models.length > 0 ? base.models.join(', ') : 'the requested anomalies'
  const explanation =
    valid === true
      ? undefined
      : [
          `${valid === false ? 'not' : 'cannot tell whether it is'} ${asked}: ${reported.map((t) => `${t} (${counts[t]})`).join(', ')}${not.length ? `; weakest models ruled out: ${not.join(', ')}` : ''}`,
          ...reported.map((t) => anomalies[t][0].explanation),
        ].join('\n')
  return {
    ...base,
    valid,
    explanation,
    anomalyTypes: reported,
    anomalies,
    counts,
    unreported: [...byType.keys()].filter((t) => !reported.includes(t)).sort(),
    not,
    alsoNot,
  }
}
