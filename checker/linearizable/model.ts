// The model contract of the linearizability checker: a sequential specification (initial state
// and a step function) plus hashing/equality of states, so that the search can cache
// (linearized set, state) pairs. Users can write their own; hash and equal default to the
// structural helpers below, which work for any JSON-like state.

/** What a model sees of one operation: its function, its value (completion value for ok reads) and key. */
export interface ModelOp {
  f: string
  value: unknown
  key?: string
}

export interface Model<S = unknown> {
  /** Short name used in explanations ("cas-register"). */
  name: string
  /** Functions this model accepts; others are reported as an input error naming the op. */
  fs: readonly string[]
  init(): S
  /** The state after `op`, or undefined if `op` could not have returned what it did in `state`. Must not mutate `state`. */
  step(state: S, op: ModelOp): S | undefined
  hash?(state: S): number
  equal?(a: S, b: S): boolean
  /** True for ops that never change the state (reads): crashed ones are dropped before the search. */
  readOnly?(op: ModelOp): boolean
  /** Independent sub-histories (P-compositionality): ops with different partitions are checked separately. */
  partition?(op: ModelOp): string
  /** How a state is printed in explanations (`op`: the op it concerns, to show only its key); defaults to JSON. */
  show?(state: S, op?: ModelOp): string
  /**
   * How to rebuild this model inside a worker thread: a built-in model name and its initial
   * value. Models without it are checked on the calling thread only.
   */
  spec?: { name: string; initial?: unknown }
}

const FNV_PRIME = 0x01000193

function mixString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME)
  return Math.imul(h ^ s.length, FNV_PRIME)
}

/** A structural 32-bit hash of a JSON-like value; object key order does not matter. */
export function hashValue(v: unknown, h = 0x811c9dc5): number {
  if (v === null || v === undefined) return Math.imul(h ^ 0x6e, FNV_PRIME)
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v)
        ? Math.imul(Math.imul(h ^ 0x69, FNV_PRIME) ^ v, FNV_PRIME)
        : mixString(h ^ 0x66, String(v))
    case 'string':
      return mixString(Math.imul(h ^ 0x73, FNV_PRIME), v)
    case 'boolean':
      return Math.imul(h ^ (v ? 0x74 : 0x46), FNV_PRIME)
    case 'object': {
      if (Array.isArray(v)) {
        let x = Math.imul(h ^ 0x5b, FNV_PRIME)
        for (const e of v) x = hashValue(e, x)
        return Math.imul(x ^ v.length, FNV_PRIME)
      }
      // Sum of per-entry hashes: independent of key order.
      let sum = 0
      for (const [k, e] of Object.entries(v as Record<string, unknown>))
        sum = (sum + hashValue(e, mixString(0x7b, k))) | 0
      return Math.imul(h ^ sum ^ 0x7b, FNV_PRIME)
    }
    default:
      return mixString(h, String(v))
  }
}

/** Structural equality of JSON-like values (undefined and null are equal; key order ignored). */
export function equalValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a == null || b == null) return a == null && b == null
  if (typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bb = b as unknown[]
    return a.length === bb.length && a.every((x, i) => equalValue(x, bb[i]))
  }
  const ka = Object.keys(a)
  const bo = b as Record<string, unknown>
  return (
    ka.length === Object.keys(bo).length &&
    ka.every((k) => k in bo && equalValue((a as Record<string, unknown>)[k], bo[k]))
  )
}

export const showValue = (v: unknown): string => (v === undefined ? 'nil' : JSON.stringify(v))
