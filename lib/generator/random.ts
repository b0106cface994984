// The seeded pseudo-random source every generator draws from (through `ctx.rng`), so that a run
// is reproducible from the seed recorded in test.json. sfc32 seeded through splitmix32: small,
// fast, and good enough for choosing ops, threads and delays (not for cryptography).

export class Rng {
  readonly seed: number
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed))
      throw new Error(`Rng: seed must be a safe integer, got ${seed} (the seed test.json records)`)
    this.seed = seed
    let s = (seed ^ Math.floor(seed / 2 ** 32)) >>> 0
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = split()
    this.b = split()
    this.c = split()
    this.d = split()
    for (let i = 0; i < 12; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
}

/** A fresh seed for a run that was not given one (record it so the run can be replayed). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31)
}
