// A map from keys or element values to non-negative ints that skips hashing for the common case
// of small non-negative integer keys (they index a growable Int32Array); other keys go to a Map.
// Histories from generators use such integers for keys and appended values.

/** Integer keys at or above this go to the Map (bounds the array at 64 MiB). */
const DENSE_LIMIT = 1 << 24

export class DenseMap<K> {
  /** value + 1 by integer key; 0 means absent. */
  private dense = new Int32Array(0)
  private other: Map<K, number> | undefined

  /** The value under `k`, or -1. */
  get(k: K): number {
    if (typeof k === 'number' && k >= 0 && k < this.dense.length && Number.isInteger(k))
      return this.dense[k] - 1
    if (typeof k === 'number' && isDense(k)) return -1
    return this.other?.get(k) ?? -1
  }

  /** Sets `k` to `v` (v >= 0). */
  set(k: K, v: number): void {
    if (typeof k === 'number' && isDense(k)) {
      if (k >= this.dense.length) this.grow(k)
      this.dense[k] = v + 1
      return
    }
    this.other ??= new Map()
    this.other.set(k, v)
  }

  private grow(k: number): void {
    let n = Math.max(1024, this.dense.length)
    while (n <= k) n *= 2
    const bigger = new Int32Array(Math.min(n, DENSE_LIMIT))
    bigger.set(this.dense)
    this.dense = bigger
  }
}

const isDense = (k: number): boolean => Number.isInteger(k) && k >= 0 && k < DENSE_LIMIT
