// The verdict matchers (DESIGN §9) as one object, runner-agnostic: jepsen-tikv/vitest and
// jepsen-tikv/jest register it with their runner's expect.extend, and declare its types there.
import type { BankOptions } from './bank.ts'
import { type ConsistencyMatcherOptions, toBeConsistent } from './elle/matcher.ts'
import { type LinearizableMatcherOptions, toBeLinearizable } from './linearizable/matcher.ts'
import { toBeMonotonic } from './monotonic-matcher.ts'
import { toBeValidSet, toConserveBalances } from './set-bank-matchers.ts'
import type { SetFullOptions } from './set-full.ts'

export const matchers = { toBeLinearizable, toBeConsistent, toBeValidSet, toConserveBalances, toBeMonotonic }

/** The matchers as a user calls them, returning R (Vitest: the assertion; Jest: void or a promise). */
export interface VerdictMatchers<R> {
  /** Linearizability check (per key, model cas-register by default); async: await it. */
  toBeLinearizable(opts?: LinearizableMatcherOptions): Promise<R>
  /** Elle-class transactional check (list-append / rw-register); async: await it. */
  toBeConsistent(opts?: ConsistencyMatcherOptions): Promise<R>
  /** Set-full check: nothing lost, nothing unexpected (and no stale read when linearizable). */
  toBeValidSet(opts?: SetFullOptions): R
  /** Bank check: every read sums to `total` over `accounts`, no negative balance. */
  toConserveBalances(opts: BankOptions): R
  /** Monotonic check: counters never go back in transaction timestamp order. */
  toBeMonotonic(): R
}

export type { BankOptions, ConsistencyMatcherOptions, LinearizableMatcherOptions, SetFullOptions }
