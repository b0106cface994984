// The built-in models (DESIGN §9): `register` (read/write), `cas-register` (plus cas
// [expected, new]), `multi-register` (Knossos-style txns of reads and writes over named
// registers) and `kv` (Porcupine's get/put/append on string values, one partition per key).
// Each is built by a factory taking its initial value, so that worker threads can rebuild it.
import { equalValue, hashValue, type Model, type ModelOp } from './model.ts'

type Scalar = unknown

const isRead = (op: ModelOp) => op.f === 'read'

function registerModel(name: 'register' | 'cas-register', initial: Scalar = null): Model<Scalar> {
  return {
    name,
    fs: name === 'register' ? ['read', 'write'] : ['read', 'write', 'cas'],
    init: () => initial ?? null,
    step(state, op) {
      if (op.f === 'read') return equalValue(state, op.value) ? state : undefined
      if (op.f === 'write') return op.value ?? null
      const [expected, next] = casArgs(op.value)
      return equalValue(state, expected) ? next : undefined
    },
    hash: (s) => hashValue(s),
    equal: equalValue,
    readOnly: isRead,
    spec: { name, initial },
  }
}

function casArgs(v: unknown): [unknown, unknown] {
  if (!Array.isArray(v) || v.length !== 2)
    throw new Error(`cas value must be [expected, new]; got ${JSON.stringify(v)}`)
  return [v[0], v[1]]
}

type Registers = Record<string, unknown>
type MicroOp = [string, string, unknown]

function microOps(v: unknown): MicroOp[] {
  if (!Array.isArray(v) || !v.every((m) => Array.isArray(m) && m.length === 3))
    throw new Error(`txn value must be a list of [read|write, key, value]; got ${JSON.stringify(v)}`)
  return v as MicroOp[]
}

const isReadMop = (m: MicroOp) => m[0] === 'read' || m[0] === 'r'

function multiRegisterModel(initial: Registers = {}): Model<Registers> {
  return {
    name: 'multi-register',
    fs: ['txn'],
    init: () => ({ ...initial }),
    step(state, op) {
      let out = state
      for (const m of microOps(op.value)) {
        const [f, k, v] = m
        if (isReadMop(m)) {
          if (!equalValue(out[k] ?? null, v)) return undefined
        } else if (f === 'write' || f === 'w') {
          if (out === state) out = { ...state }
          out[k] = v
        } else throw new Error(`multi-register micro-op must be read or write; got ${JSON.stringify(m)}`)
      }
      return out
    },
    hash: (s) => hashValue(s),
    equal: equalValue,
    readOnly: (op) => microOps(op.value).every(isReadMop),
    spec: { name: 'multi-register', initial },
  }
}

type Strings = Record<string, string>

/**
 * kv state, one flat array per state (the search keeps every state it caches, so fewer
 * objects mean less garbage-collector work): [hash, key1, value1, hash1, key2, ...]. Each
 * value's polynomial hash is extended in O(appended length) on append, so long values are
 * never rehashed; `hash` is the order-independent sum of the per-key hashes.
 */
type KvState = (string | number)[]

const extendHash = (h: number, s: string): number => {
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

/** Spreads a 32-bit hash so that sums of per-key hashes stay well distributed. */
const finish = (h: number): number => {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return h ^ (h >>> 16)
}

function kvFind(s: KvState, k: string): number {
  for (let i = 1; i < s.length; i += 3) if (s[i] === k) return i
  return -1
}

function kvState(values: Strings): KvState {
  const s: KvState = [0]
  for (const k in values) {
    const h = extendHash(hashValue(k), values[k])
    s.push(k, values[k], h)
    s[0] = ((s[0] as number) + finish(h)) | 0
  }
  return s
}

const kvValues = (s: KvState): Strings => {
  const out: Strings = {}
  for (let i = 1; i < s.length; i += 3) out[s[i] as string] = s[i + 1] as string
  return out
}

function kvModel(initial: Strings = {}): Model<KvState> {
  return {
    name: 'kv',
    fs: ['get', 'put', 'append'],
    init: () => kvState(initial),
    step(state, op) {
      const k = op.key ?? ''
      const i = kvFind(state, k)
      const cur = i < 0 ? '' : (state[i + 1] as string)
      if (op.f === 'get') return (op.value ?? '') === cur ? state : undefined
      const v = String(op.value ?? '')
      const old = i < 0 ? hashValue(k) : (state[i + 2] as number)
      const h = extendHash(op.f === 'put' ? hashValue(k) : old, v)
      const next = state.slice()
      next[0] = ((state[0] as number) - (i < 0 ? 0 : finish(old)) + finish(h)) | 0
      if (i < 0) next.push(k, v, h)
      else {
        next[i + 1] = op.f === 'put' ? v : cur + v
        next[i + 2] = h
      }
      return next
    },
    hash: (s) => s[0] as number,
    equal: (a, b) => {
      if (a[0] !== b[0] || a.length !== b.length) return false
      for (let i = 1; i < a.length; i += 3) {
        const j = kvFind(b, a[i] as string)
        if (j < 0 || a[i + 1] !== b[j + 1]) return false
      }
      return true
    },
    readOnly: (op) => op.f === 'get',
    partition: (op) => op.key ?? '',
    show: (s, op) => {
      const values = kvValues(s)
      return op?.key !== undefined && Object.keys(values).length > 1
        ? `{${JSON.stringify(op.key)}: ${JSON.stringify(values[op.key] ?? '')}, …}`
        : JSON.stringify(values)
    },
    spec: { name: 'kv', initial },
  }
}

// biome-ignore lint/suspicious/noExplicitAny: factories take model-specific initial values
export const MODELS: Record<string, (initial?: any) => Model<any>> = {
  register: (initial?: Scalar) => registerModel('register', initial),
  'cas-register': (initial?: Scalar) => registerModel('cas-register', initial),
  'multi-register': multiRegisterModel,
  kv: kvModel,
}

export const register = MODELS.register
export const casRegister = MODELS['cas-register']
export const multiRegister = multiRegisterModel
export const kv = kvModel

/** Why `initial` cannot start the built-in model `name`, or undefined when it can. */
export function initialValueProblem(name: string, initial: unknown): string | undefined {
  const isObject = typeof initial === 'object' && initial !== null && !Array.isArray(initial)
  if (name === 'multi-register' && !isObject)
    return `multi-register starts from an object of registers, e.g. {"x":0,"y":0}; got ${JSON.stringify(initial)}`
  if (name === 'kv' && !(isObject && Object.values(initial).every((v) => typeof v === 'string')))
    return `kv starts from an object of string values, e.g. {"k1":"","k2":"a"}; got ${JSON.stringify(initial)}`
  if ((name === 'register' || name === 'cas-register') && typeof initial === 'object' && initial !== null)
    return `${name} starts from a number, a string or null; got ${JSON.stringify(initial)}`
  return undefined
}

/**
 * A model by name (built-in, from `initial` or its default initial value) or a model object as
 * is. A bad name or initial value throws, naming what was expected.
 */
export function resolveModel(m: string | Model<unknown> | undefined, initial?: unknown): Model<unknown> {
  if (typeof m === 'object') return m
  const name = m ?? 'cas-register'
  const factory = MODELS[name]
  if (!factory)
    throw new Error(`unknown linearizability model '${name}' (allowed: ${Object.keys(MODELS).join(', ')})`)
  const problem = initial === undefined ? undefined : initialValueProblem(name, initial)
  if (problem) throw new TypeError(problem)
  return factory(initial)
}
