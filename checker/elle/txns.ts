// Turns a history into transactions: pairs each client invocation with its completion (FIFO per
// process, so histories with only completions, or with several calls open per process, still
// work), detects the workload from the micro-ops and validates their shape and uniqueness.

import type { Op } from '../../lib/history/op.ts'
import { entry } from './entry.ts'
import type { Elem, Key, Mop, Txn, Workload } from './types.ts'

export interface Txns {
  workload: Workload
  txns: Txn[]
  /** Input problems (bad shapes); any of them makes the verdict "unknown". */
  problems: string[]
}

const WRITE_F: Record<Workload, string> = { 'list-append': 'append', 'rw-register': 'w' }

const show = (x: unknown): string => JSON.stringify(x) ?? String(x)

/** Guesses the workload: appends mean list-append, writes rw-register, else the shape of reads. */
export function detectWorkload(history: readonly Op[]): Workload | undefined {
  let listReads = false
  let scalarReads = false
  for (const op of history) {
    if (!Array.isArray(op.value)) continue
    for (const m of op.value) {
      if (!Array.isArray(m)) continue
      if (m[0] === 'append') return 'list-append'
      if (m[0] === 'w') return 'rw-register'
      if (m[0] === 'r' && Array.isArray(m[2])) listReads = true
      if (m[0] === 'r' && m[2] !== null && !Array.isArray(m[2])) scalarReads = true
    }
  }
  if (listReads) return 'list-append'
  if (scalarReads) return 'rw-register'
  return undefined
}

const isScalar = (x: unknown): x is Elem =>
  (typeof x === 'number' && Number.isFinite(x)) || typeof x === 'string'

function mopProblem(m: unknown, workload: Workload, completed: boolean): string | undefined {
  const writeF = WRITE_F[workload]
  if (!Array.isArray(m) || m.length !== 3)
    return `expected a micro-op ["${writeF}", key, value] or ["r", key, value], got ${show(m)}`
  const f = m[0]
  const k = m[1]
  const v = m[2]
  if (f !== writeF && f !== 'r') return `micro-op function ${show(f)} is not "${writeF}" or "r" (${workload})`
  if (!isScalar(k)) return `key ${show(k)} must be a string or a number`
  if (f === writeF) return isScalar(v) ? undefined : `${writeF} value ${show(v)} must be a string or a number`
  if (!completed || v === null) return undefined
  if (workload === 'rw-register')
    return isScalar(v) ? undefined : `read value ${show(v)} must be null, a string or a number`
  if (!Array.isArray(v)) return `read value ${show(v)} must be null or a list of strings/numbers`
  for (let i = 0; i < v.length; i++)
    if (!isScalar(v[i])) return `read value ${show(v)} must be null or a list of strings/numbers`
  return undefined
}

function validMops(op: Op, workload: Workload, problems: string[]): Mop[] | undefined {
  if (!Array.isArray(op.value)) {
    problems.push(`op ${op.index}: value ${show(op.value)} is not a list of micro-ops`)
    return undefined
  }
  const completed = op.type === 'ok'
  const mops = op.value as unknown[]
  for (let i = 0; i < mops.length; i++) {
    const p = mopProblem(mops[i], workload, completed)
    if (p) {
      problems.push(`op ${op.index}, micro-op ${i}: ${p}`)
      return undefined
    }
  }
  return op.value as Mop[]
}

/** A txn begun by `op` (every txn gets all fields up front: one object shape, fast access). */
const newTxn = (id: number, op: Op, type: Txn['type'], mops: Mop[] | undefined): Txn => ({
  id,
  op: op.index,
  invokeAt: op.index,
  completeAt: undefined,
  process: op.process as number,
  type,
  mops: mops ?? [],
  ts: op.ts,
})

/** Pairs and validates a history's transactions. Nemesis ops are skipped. */
export function collectTxns(history: readonly Op[], workload?: Workload): Txns {
  const problems: string[] = []
  const wl = workload ?? detectWorkload(history) ?? 'list-append'
  const txns: Txn[] = []
  const pending = new Map<number, Txn[]>()
  for (const op of history) {
    if (typeof op.process !== 'number') continue
    if (op.f !== undefined && op.f !== 'txn') {
      problems.push(`op ${op.index}: f is ${show(op.f)}, expected "txn"`)
      continue
    }
    if (op.type === 'invoke') {
      const t = newTxn(txns.length, op, 'info', validMops(op, wl, problems))
      const q = entry(pending, op.process, () => [])
      q.push(t)
      txns.push(t)
      continue
    }
    const t = pending.get(op.process)?.shift()
    const mops = validMops(op, wl, problems)
    if (t) {
      t.op = op.index
      t.completeAt = op.index
      t.type = op.type
      t.ts = op.ts
      if (mops && op.type === 'ok') {
        if (mops.length !== t.mops.length)
          problems.push(
            `op ${op.index}: completion has ${mops.length} micro-ops, its invocation (op ${t.invokeAt}) ${t.mops.length}`,
          )
        t.mops = mops
      }
    } else {
      const t = newTxn(txns.length, op, op.type, mops)
      t.invokeAt = undefined
      t.completeAt = op.index
      txns.push(t)
    }
  }
  return { workload: wl, txns, problems }
}

/** Elle-class inference needs every (key, value) written at most once: the problem text. */
export function duplicateWrite(f: string, op: number, prevOp: number, k: Key, v: unknown): string {
  const what = f === 'append' ? 'append' : 'write'
  return `duplicate-${what}s: op ${op} and op ${prevOp} both ${what} ${show(v)} to key ${show(k)}; every value written to a key must be unique`
}
