// Choosing among several generators' candidate ops (Jepsen's soonest-op-map): a real op beats
// PENDING, an earlier time beats a later one, and ties are broken at random in proportion to
// each candidate's weight (so no generator or thread starves).

import type { GenOp, Pending } from './core.ts'
import { PENDING } from './core.ts'
import type { Rng } from './random.ts'

export interface Candidate {
  op: GenOp | Pending
  weight: number
}

/** Index of the soonest candidate, or -1 when there are none. */
export function soonest(cands: readonly (Candidate | null)[], rng: Rng): number {
  let best = -1
  let tied = 0
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]
    if (c === null) continue
    if (best === -1) {
      best = i
      tied = c.weight
      continue
    }
    const b = cands[best] as Candidate
    if (c.op === PENDING) continue
    if (b.op === PENDING || c.op.time < b.op.time) {
      best = i
      tied = c.weight
    } else if (c.op.time === b.op.time) {
      tied += c.weight
      if (rng.next() * tied < c.weight) best = i
    }
  }
  return best
}
