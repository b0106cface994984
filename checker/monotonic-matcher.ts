// `expect(history).toBeMonotonic()`: the monotonic checker (counters in timestamp order) as a
// synchronous matcher over an Op[] or a history file / store run directory. A history
// without timestamps is "unknown", which fails with or without .not.
import type { Op } from '../lib/history/op.ts'
import { checkerMatch, type MatcherContext, type MatcherResult } from './matcher-result.ts'
import { checkMonotonic } from './monotonic.ts'

export function toBeMonotonic(this: MatcherContext, received: readonly Op[] | string): MatcherResult {
  return checkerMatch(this, received, 'monotonic in timestamp order', checkMonotonic)
}
