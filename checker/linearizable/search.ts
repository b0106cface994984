// The Wing–Gong–Lowe search for one part: calls and returns sit in a doubly linked list in
// history order; the search linearizes a call whose step the model accepts, lifts it out of
// the list and restarts from the head, and backtracks when it meets the return of a call it
// has not linearized. Lowe's cache of (linearized-set bitset, state) prunes configurations
// already explored: the bitset is hashed incrementally (Zobrist: XOR of a random word per op), the state by the model's hash
// (computed once per step and carried on the stack), and the cache is an open-addressing
// table over typed arrays whose byte size is bounded; equal hashes are confirmed by comparing
// bitsets and then states (model equality). The search runs in slices (`run(ms)`) so a
// scheduler can interleave parts, cancel them and enforce deadlines.
//
// `analyze` runs this code in a fresh process, so what V8 does before and after optimising it
// matters: bitset words are Int32Array, not Uint32Array (a uint32 with bit 31 set is no small
// integer to V8, so the first op with index 31 mod 32 threw the optimised search loop away),
// and the arrays that hold states start in the element kind they end in (see anyArray). Before
// both, the loop of kv c50-ok ran unoptimised for about 100 ms of its 300.
import type { Model } from './model.ts'
import type { Part } from './prepare.ts'

export type SearchStatus = 'running' | 'ok' | 'fail' | 'memory'

/** What the search knows when it gives up: the deepest point it reached. */
export interface FailurePoint {
  /** Ops (indices into part.ops) of the longest linearizable prefix, in linearized order. */
  prefix: number[]
  /** States after each prefix op; states[0] is the initial state. */
  states: unknown[]
  /** The op whose return was reached without it being linearizable. */
  op: number
  /** States in which the op was tried and rejected by the model. */
  triedStates: unknown[]
}

const MAX_TRIED = 8

/**
 * An empty array in V8's any-value element kind. An array made empty (`[]`, `new Array(n)`)
 * starts as a small-integer array and changes kind when a state object is stored; optimised
 * code that has met only the changed kind is thrown away when a new part's arrays come in
 * unchanged. So every array that holds states starts in the kind it ends in.
 */
function anyArray<T>(): T[] {
  const a: T[] = [undefined as T]
  a.pop()
  return a
}

export class Search<S = unknown> {
  private readonly tried: S[][]
  /** Hashes of the tried states, so that recording a rejection costs no state comparison. */
  private readonly triedHash: number[][]
  private readonly words: number
  private readonly hashState: (s: S) => number
  private readonly equal: (a: S, b: S) => boolean
  // Linked list over event positions; HEAD and TAIL are sentinels.
  private readonly next: Int32Array
  private readonly prev: Int32Array
  private readonly entryOp: Int32Array
  private readonly match: Int32Array
  private readonly crashed: Uint8Array
  private readonly head: number
  private readonly tail: number
  // Search position.
  private entry: number
  private state: S
  private stateHash: number
  private depth = 0
  private hash = 0
  private readonly bits: Int32Array
  private readonly stackEntry: Int32Array
  private readonly stackState: S[]
  private readonly stackHash: Int32Array
  private readonly zobrist: Int32Array
  // Cache: open addressing, a slot holds entry+1; entry data in parallel arrays.
  private slots = new Int32Array(1024)
  private cacheHash = new Int32Array(512)
  private cacheBits: Int32Array
  private readonly cacheState: S[] = anyArray()
  private count = 0
  private best: FailurePoint | undefined
  private bestDepth = -1
  configurations = 0

  constructor(
    readonly part: Part,
    readonly model: Model<S>,
    private readonly maxBytes = 256 * 2 ** 20,
    /** false = plain Wing–Gong without Lowe's cache (exponential; only a benchmark baseline). */
    private readonly useCache = true,
  ) {
    const n = part.ops.length
    this.words = Math.max(1, Math.ceil(n / 32))
    this.hashState = model.hash ?? (() => 0)
    this.equal = model.equal ?? ((a, b) => a === b)
    const m = part.events.length
    this.head = m
    this.tail = m + 1
    this.next = new Int32Array(m + 2)
    this.prev = new Int32Array(m + 2)
    this.entryOp = new Int32Array(m)
    this.match = new Int32Array(m).fill(-1)
    this.crashed = new Uint8Array(n)
    const posOf = new Int32Array(2 * n)
    part.events.forEach((ev, pos) => {
      this.entryOp[pos] = ev >> 1
      posOf[ev] = pos
    })
    for (let i = 0; i < n; i++) {
      this.match[posOf[2 * i]] = posOf[2 * i + 1]
      this.crashed[i] = part.ops[i].completeIndex < 0 ? 1 : 0
    }
    let p = this.head
    for (let pos = 0; pos < m; pos++) {
      this.next[p] = pos
      this.prev[pos] = p
      p = pos
    }
    this.next[p] = this.tail
    this.prev[this.tail] = p
    this.entry = this.next[this.head]
    this.bits = new Int32Array(this.words)
    this.stackEntry = new Int32Array(n)
    this.stackState = new Array(n).fill(undefined)
    this.stackHash = new Int32Array(n)
    this.zobrist = new Int32Array(n)
    let seed = 0x9e3779b9
    for (let i = 0; i < n; i++) {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      this.zobrist[i] = t ^ (t >>> 14)
    }
    this.tried = Array.from({ length: n }, () => anyArray<S>())
    this.triedHash = Array.from({ length: n }, () => [])
    this.cacheBits = new Int32Array(512 * this.words)
    this.state = model.init()
    this.stateHash = this.hashState(this.state)
  }

  /** Approximate bytes held by the cache (the part of memory that grows), states at 64 bytes each. */
  get bytes(): number {
    return this.slots.byteLength + this.cacheBits.byteLength + this.cacheHash.byteLength + 72 * this.count
  }

  get failure(): FailurePoint | undefined {
    return this.best
  }

  /** Adds (bits, state) to the cache; false if it was there already. */
  private remember(state: S, stateHash: number): boolean {
    const w = this.words
    const bits = this.bits
    let h = Math.imul(this.hash ^ Math.imul(stateHash, 0x9e3779b1), 0x85ebca6b)
    h ^= h >>> 13
    const mask = this.slots.length - 1
    let i = h & mask
    for (;;) {
      const e = this.slots[i] - 1
      if (e < 0) break
      if (this.cacheHash[e] === h) {
        let same = true
        const base = e * w
        for (let k = 0; k < w; k++)
          if (this.cacheBits[base + k] !== bits[k]) {
            same = false
            break
          }
        if (same && this.equal(this.cacheState[e], state)) return false
      }
      i = (i + 1) & mask
    }
    const e = this.count++
    if (e >= this.cacheHash.length) this.growEntries()
    this.cacheHash[e] = h
    this.cacheState.push(state)
    this.cacheBits.set(bits, e * w)
    this.slots[i] = e + 1
    if (this.count * 2 > this.slots.length) this.rehash()
    return true
  }

  private growEntries(): void {
    const cap = this.cacheHash.length * 2
    const h = new Int32Array(cap)
    h.set(this.cacheHash)
    const b = new Int32Array(cap * this.words)
    b.set(this.cacheBits)
    this.cacheHash = h
    this.cacheBits = b
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2)
    const mask = slots.length - 1
    for (let e = 0; e < this.count; e++) {
      let i = this.cacheHash[e] & mask
      while (slots[i] !== 0) i = (i + 1) & mask
      slots[i] = e + 1
    }
    this.slots = slots
  }

  /** Remembers (a few of) the states that rejected `op`, distinct by hash, for the explanation. */
  private noteRejected(op: number): void {
    const hs = this.triedHash[op]
    if (hs.includes(this.stateHash)) return
    hs.push(this.stateHash)
    this.tried[op].push(this.state)
  }

  private noteBlocked(op: number): void {
    if (this.depth <= this.bestDepth) return
    this.bestDepth = this.depth
    const prefix: number[] = []
    const states: unknown[] = []
    for (let d = 0; d < this.depth; d++) {
      prefix.push(this.entryOp[this.stackEntry[d]])
      states.push(this.stackState[d])
    }
    states.push(this.state)
    this.best = { prefix, states, op, triedStates: this.tried[op] }
  }

  /** Searches for up to `ms` milliseconds; 'running' means call again. */
  run(ms: number): SearchStatus {
    const end = performance.now() + ms
    const { next, prev, match, entryOp, bits, zobrist, crashed, stackEntry, stackState, stackHash, model } =
      this
    const ops = this.part.ops
    const tail = this.tail
    let entry = this.entry
    let iter = 0
    for (;;) {
      if ((++iter & 1023) === 0) {
        if (this.bytes > this.maxBytes) return 'memory'
        if (performance.now() > end) {
          this.entry = entry
          return 'running'
        }
      }
      if (entry === tail) return 'ok'
      const op = entryOp[entry]
      const ret = match[entry]
      if (ret >= 0) {
        // A call: try to linearize it now.
        const ns = model.step(this.state, ops[op])
        if (ns !== undefined) {
          const w = op >> 5
          const b = 1 << (op & 31)
          bits[w] |= b
          this.hash ^= zobrist[op]
          const nh = this.hashState(ns)
          if (!this.useCache || this.remember(ns, nh)) {
            this.configurations++
            stackEntry[this.depth] = entry
            stackHash[this.depth] = this.stateHash
            stackState[this.depth++] = this.state
            this.state = ns
            this.stateHash = nh
            next[prev[entry]] = next[entry]
            prev[next[entry]] = prev[entry]
            next[prev[ret]] = next[ret]
            prev[next[ret]] = prev[ret]
            entry = next[this.head]
            continue
          }
          bits[w] &= ~b
          this.hash ^= zobrist[op]
        } else if (this.tried[op].length < MAX_TRIED) this.noteRejected(op)
        entry = next[entry]
      } else {
        // A return: every completed op is linearized once only crashed returns are left.
        if (crashed[op]) return 'ok'
        this.noteBlocked(op)
        if (this.depth === 0) return 'fail'
        entry = stackEntry[--this.depth]
        this.state = stackState[this.depth]
        this.stateHash = stackHash[this.depth]
        const o = entryOp[entry]
        bits[o >> 5] &= ~(1 << (o & 31))
        this.hash ^= zobrist[o]
        const r = match[entry]
        next[prev[r]] = r
        prev[next[r]] = r
        next[prev[entry]] = entry
        prev[next[entry]] = entry
        entry = next[entry]
      }
    }
  }
}
