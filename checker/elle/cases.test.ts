// The 30 Elle-derived cases of testdata/elle/cases.json (testdata/NOTICE): every check's
// verdict, anomaly types and weakest ruled-out models must match.
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { Op } from '../../lib/history/op.ts'
import { manifest, reference } from '../../lib/history/testing/reference.ts'
import { checkConsistency } from './check.ts'
import { EdgeList } from './graph.ts'
import { inferListAppend } from './list-append.ts'
import { collectTxns } from './txns.ts'
import type { CheckOptions, Mop } from './types.ts'
import { DEPENDENCY, WR, WW } from './types.ts'

// Cases where Elle's step labels (ww, wr, rw before realtime/process) hide a realtime/process
// variant that we report because we classify by the edges the search followed.
const LABEL_CAVEAT = new Set(['LA-04', 'LA-19', 'LA-20'])

type RawOp = { index: number; process: number; type: Op['type']; value: Mop[] }
interface Expected {
  valid: boolean | 'unknown'
  anomaly_types?: string[]
  not?: string[]
  anomalies?: Record<string, { op?: number; cycle?: number[] }[]>
}
interface Check {
  history?: string
  options: Record<string, unknown>
  expected?: Expected | string
  expected_by_reasoning?: Expected
}
interface Case {
  id: string
  name: string
  workload: 'list-append' | 'rw-register'
  history?: RawOp[]
  histories?: Record<string, RawOp[] | string>
  checks?: Check[]
  unit_internal_cases?: { txn: Mop[]; expected: unknown }[]
  negative?: {
    history_completions_in_order_each_preceded_by_its_invoke_process_0: Mop[][]
    options: object
    expected: Expected
  }
  vectors?: {
    graph: string
    name?: string
    txns: Mop[][]
    types?: Op['type'][]
    edges?: Record<string, number[]>
    expected_error?: { type: string; op: number; key: string; value: number }
  }[]
}

const { elle } = manifest()
const cases = JSON.parse(readFileSync(reference(elle.cases), 'utf8')) as Case[]

const toOps = (raw: RawOp[]): Op[] => raw.map((o) => ({ ...o, time: o.index, f: 'txn' }) as Op)

/** Elle's options object in our terms. */
function options(c: Case, o: Record<string, unknown>): CheckOptions {
  return {
    workload: c.workload,
    models: o.consistency_models === null ? null : (o.consistency_models as string[] | undefined),
    anomalies: o.anomalies as string[] | undefined,
    sequentialKeys: o.sequential_keys === true,
    linearizableKeys: o.linearizable_keys === true,
    wfrKeys: o.wfr_keys === true,
  }
}

/** "same as G1 check" refers to an earlier check on the same history that asked for G1. */
function resolve(checks: Check[], i: number): Expected {
  const e = checks[i].expected_by_reasoning ?? checks[i].expected!
  if (typeof e !== 'string') return e
  const label = /^same as (.*) check$/.exec(e)![1]
  const ref = checks.slice(0, i).find((c) => {
    const o = c.options
    if (c.history !== checks[i].history) return false
    return (
      ((o.anomalies as string[]) ?? []).includes(label) ||
      ((o.consistency_models as string[]) ?? []).includes(label)
    )
  })
  if (!ref) throw new Error(`cannot resolve "${e}"`)
  return resolve(checks, checks.indexOf(ref))
}

function historyOf(c: Case, name?: string): Op[] {
  if (!name) return toOps(c.history!)
  const h = c.histories![name]
  if (typeof h !== 'string') return toOps(h)
  const m = /^first (\w+) ops of (\w+)$/.exec(h)!
  const n = { four: 4 }[m[1]]!
  return historyOf(c, m[2]).slice(0, n)
}

function expectVerdict(id: string, ops: Op[], opts: CheckOptions, exp: Expected): void {
  const r = checkConsistency(ops, opts)
  const context = `${id}: ${r.explanation ?? 'valid'}`
  expect(r.valid, context).toBe(exp.valid)
  if (exp.anomaly_types) {
    const extra = r.anomalyTypes.filter((t) => !exp.anomaly_types!.includes(t))
    const tolerated = LABEL_CAVEAT.has(id) ? extra.filter((t) => /-(realtime|process)$/.test(t)) : []
    expect(
      r.anomalyTypes.filter((t) => !tolerated.includes(t)),
      context,
    ).toEqual(exp.anomaly_types)
  } else expect(r.anomalyTypes, context).toEqual([])
  if (exp.not) expect(r.not, context).toEqual([...exp.not].sort())
  for (const [type, instances] of Object.entries(exp.anomalies ?? {}))
    for (const inst of instances) {
      const mine = r.anomalies[type] ?? []
      if (inst.op !== undefined)
        expect(
          mine.map((a) => a.op),
          context,
        ).toContain(inst.op)
      if (inst.cycle) expect(mine.length, context).toBeGreaterThan(0)
    }
}

describe('Elle cases (testdata/elle/cases.json)', () => {
  test(`the file holds the manifest's ${elle.count} cases`, () => {
    expect(new Set(cases.map((c) => c.id)).size).toBe(elle.count)
  })

  for (const c of cases) {
    describe(`${c.id} ${c.name}`, () => {
      c.checks?.forEach((check, i) => {
        test(`check ${i}: ${JSON.stringify(check.options)}${check.history ? ` on ${check.history}` : ''}`, () => {
          expectVerdict(c.id, historyOf(c, check.history), options(c, check.options), resolve(c.checks!, i))
        })
      })

      if (c.negative)
        test(`negative: ${c.negative.options && JSON.stringify(c.negative.options)}`, () => {
          const ops: Op[] = []
          for (const value of c.negative!
            .history_completions_in_order_each_preceded_by_its_invoke_process_0) {
            const invoke = value.map(([f, k, v]) => [f, k, f === 'r' ? null : v])
            ops.push({
              index: ops.length,
              time: ops.length,
              process: 0,
              type: 'invoke',
              f: 'txn',
              value: invoke,
            })
            ops.push({ index: ops.length, time: ops.length, process: 0, type: 'ok', f: 'txn', value })
          }
          expectVerdict(
            c.id,
            ops,
            options(c, c.negative!.options as Record<string, unknown>),
            c.negative!.expected,
          )
        })

      c.unit_internal_cases?.forEach((u, i) => {
        test(`internal unit ${i}: ${JSON.stringify(u.txn)}`, () => {
          const ops = toOps([{ index: 0, process: 0, type: 'ok', value: u.txn }])
          const r = checkConsistency(ops, {
            workload: c.workload,
            models: null,
            anomalies: ['internal', 'future-read'],
          })
          const types = r.anomalyTypes.filter((t) => t !== 'empty-transaction-graph')
          const want =
            u.expected === null
              ? []
              : 'future-read' in (u.expected as object)
                ? ['future-read']
                : ['internal']
          expect(types).toEqual(want)
        })
      })

      c.vectors?.forEach((v, i) => {
        test(`graph vector ${i}: ${v.graph} ${v.name ?? ''}`, () => {
          const ops = toOps(
            v.txns.map((value, index) => ({ index, process: 0, type: v.types?.[index] ?? 'ok', value })),
          )
          if (v.expected_error) {
            const e = v.expected_error
            const r = checkConsistency(ops, { workload: 'list-append' })
            expect(r.valid).toBe('unknown')
            expect(r.problems?.join('\n')).toContain(`${e.type}: op ${e.op} and op`)
            expect(r.problems?.join('\n')).toContain(`${e.value} to key "${e.key}"`)
            return
          }
          const { txns, problems } = collectTxns(ops, 'list-append')
          expect(problems).toEqual([])
          const mask = v.graph === 'ww-only' ? WW : v.graph === 'wr-only' ? WR : DEPENDENCY
          const edges = new EdgeList()
          inferListAppend(txns).edges(edges.add)
          const got: Record<string, number[]> = {}
          for (const k of Object.keys(v.edges!)) got[k] = []
          for (let e = 0; e < edges.size; e++)
            if (edges.lab[e] & mask) {
              const from = String(txns[edges.src[e]].op)
              got[from] = [...new Set([...(got[from] ?? []), txns[edges.dst[e]].op])].sort()
            }
          expect(got).toEqual(
            Object.fromEntries(Object.entries(v.edges!).map(([k, vs]) => [k, [...vs].sort()])),
          )
        })
      })
    })
  }
})
