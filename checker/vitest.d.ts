// Types of the project's custom Vitest matchers (registered in checker/matchers.ts).

import type { BankOptions } from './bank.ts'
import type { ConsistencyMatcherOptions } from './elle/matcher.ts'
import type { LinearizableMatcherOptions } from './linearizable/matcher.ts'
import type { SetFullOptions } from './set-full.ts'

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must match Vitest's own declaration of Matchers
  interface Matchers<T = any> {
    /** Elle-class transactional check (list-append / rw-register); async: await it. */
    toBeConsistent(opts?: ConsistencyMatcherOptions): Promise<T>
    /** Linearizability check (per key, model cas-register by default); async: await it. */
    toBeLinearizable(opts?: LinearizableMatcherOptions): Promise<T>
    /** Set-full check: nothing lost, nothing unexpected (and no stale read when linearizable). */
    toBeValidSet(opts?: SetFullOptions): T
    /** Bank check: every read sums to `total` over `accounts`, no negative balance. */
    toConserveBalances(opts: BankOptions): T
    /** Monotonic check: counters never go back in transaction timestamp order. */
    toBeMonotonic(): T
  }
}
